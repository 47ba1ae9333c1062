"""How much text one scoring may ask for: alignment's time and memory grow with the expected phones.

The audio's limits live with its reader (saywell.audio.wav: MAX_AUDIO_S, the rates and channels it reads);
docs/contract.md, "Limits", lists them all with the measured memory.
"""

from __future__ import annotations

from ..errors import SaywellError

# A sentence, and then some: a word list entry is at most 40 characters (saywell.classroom.wordlists). With
# 30 s of audio, the slowest 200 characters measured (100 one-letter words) score in ~5 s at ~105 MB RSS.
MAX_TEXT_CHARS = 200
MAX_PHONES_CHARS = 1000  # the phones of such a text, spelled out in ARPAbet with separators


def check_request(text: str, phones: str | None = None) -> None:
    """Refuses text or phones over the limits, before any work is done for them."""
    if len(text) > MAX_TEXT_CHARS:
        raise SaywellError(f"the text is {len(text)} characters, more than the {MAX_TEXT_CHARS} saywell scores at once; "
                           "score it a sentence at a time")
    if phones is not None and len(phones) > MAX_PHONES_CHARS:
        raise SaywellError(f"the phones are {len(phones)} characters, more than the {MAX_PHONES_CHARS} saywell scores at once; "
                           "score the text a sentence at a time")
