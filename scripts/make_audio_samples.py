"""Regenerates audio_samples/: a few real recordings (Asterisk prompts, CC-BY-SA-3.0) and piper joe
takes with deliberate learner errors. Run from the repo root with the train extra installed:

    python scripts/make_audio_samples.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import load_wav, write_wav  # noqa: E402
from saywell_train.realspeech import _find_sources  # noqa: E402

OUT = ROOT / "audio_samples"

# (file, asterisk prompt, expected text, note)
REAL = [
    ("real_hello.wav", "hello", "hello", "real speaker, correct"),
    ("real_goodbye.wav", "goodbye", "goodbye", "real speaker, correct"),
    ("real_three.wav", "digits/3", "three", "real speaker, correct"),
    ("real_seven.wav", "digits/7", "seven", "real speaker, correct"),
    # Correct, but not CMUdict's first pronunciation (L AY M AH, R AH S IY V D, W IH DH): accepted through
    # the dictionary's variants
    ("real_lima.wav", "phonetic/l_p", "lima", "real speaker, correct (L IY M AH: a dictionary variant)"),
    ("real_received.wav", "vm-received", "received", "real speaker, correct (R IY S IY V D: a dictionary variant)"),
    ("real_with.wav", "with", "with", "real speaker, correct (W IH TH: a dictionary variant)"),
    # A phrase, read as in running speech: the DH of "the" is a short stop
    ("real_to_exit_the_menu.wav", "confbridge-menu-exit-out", "to exit the menu",
     "real speaker, correct (a phrase; its 'the' said with a stopped DH, as in running speech)"),
]
# (file, words, spoken phones or None, expected text, note)
PIPER = [
    ("joe_think.wav", ["think"], None, "think", "synthetic (piper joe), correct"),
    ("joe_think_as_sink.wav", ["think"], [("S", "IH", "NG", "K")], "think", "TH said as S"),
    ("joe_very_as_berry.wav", ["very"], [("B", "EH", "R", "IY")], "very", "V said as B"),
    ("joe_ship_as_sheep.wav", ["ship"], [("SH", "IY", "P")], "ship", "IH said as IY"),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rows = []
    _, root = _find_sources()
    for name, prompt, text, note in REAL:
        with tempfile.TemporaryDirectory() as td:
            wav = Path(td) / "x.wav"
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "g722", "-i", str(root / f"{prompt}.g722"),
                            "-ar", "16000", "-ac", "1", str(wav)], check=True)
            write_wav(OUT / name, load_wav(wav).samples)
        rows.append(f"{name}\t{text}\t\t{note}")
    rows.append("real_three.wav\ttree\t\treal 'three' checked against 'tree': the TH/T sound should be flagged")
    from saywell_train.voices.piper_voice import PiperVoice

    voice = PiperVoice(length_scale=1.1, noise_scale=0.5)
    for name, words, phones, text, note in PIPER:
        u = voice.synthesize(words, phones)
        write_wav(OUT / name, u.audio)
        rows.append(f"{name}\t{text}\t\t{note}")
    (OUT / "manifest.tsv").write_text(
        "# audio<TAB>expected text<TAB>expected phones (optional)<TAB>note; read by `saywell demo` and the tests\n"
        + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
