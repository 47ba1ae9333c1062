"""The synthesis voices training speech is made with, each returning audio with its phone timings: flite and
festival (`engines`), espeak-ng through its library (`espeak_voice`), piper (`piper_voice`), voices of other
languages saying English phones through a phone map (`foreign_voice`), Debian's MBROLA voices (`mbrola_voice`), and
RHVoice and SVOX Pico (`rhvoice_voice`, `pico_voice`), whose phone timings come from forced alignment
(`model_labels`) because they report none."""
