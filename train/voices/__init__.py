"""The synthesis voices training speech is made with, each returning audio with its phone timings: flite and
festival (`engines`), espeak-ng through its library (`espeak_voice`), piper (`piper_voice`), and voices of other
languages saying English phones through a phone map (`foreign_voice`)."""
