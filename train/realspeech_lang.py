"""The real-speech validation set of another language: its Asterisk prompts (Mexican Spanish, Canadian French:
one woman each, G.722).

Built like English's (realspeech.py): each short prompt is a correct item, and, where a common word one phone
away exists, a mismatch item with that word swapped in. Never trained on; its calibration half sets the verdict
line, its evaluation half is what the model card reports.

The transcripts are typed without accents ("contrasena", "numero"), and in Spanish an accent or a tilde can
change the sound (ñ is not n), so each word is spelled as the most frequent word that differs from it only by
accents (wordfreq), before the letter-to-sound rules read it.

    python -m saywell_train.realspeech_lang es OUT_DIR
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from saywell.engine.language import language

from .realspeech import G722_BYTES_PER_S, DevItem, decode_many, read_transcripts, write_manifests

# text, audio, the espeak-ng voice whose rules give what the speaker says (a Mexican and a Canadian woman)
PACKAGES = {"es": ("asterisk-core-sounds-es", "asterisk-core-sounds-es-g722", "es-419"),
            "fr": ("asterisk-core-sounds-fr", "asterisk-core-sounds-fr-g722", "fr"),
            "it": ("asterisk-core-sounds-it", "asterisk-core-sounds-it-g722", "it")}  # an Italian man
COMMON_ZIPF = 2.5
TOP_NEIGHBOURS = 5


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def accented_spellings(vocab: list[str]) -> dict[str, str]:
    """Each word without its accents -> its most frequent spelling (`vocab` most frequent first): how a transcript
    word typed without accents ("contrasena") is read ("contraseña")."""
    out: dict[str, str] = {}
    for w in vocab:
        out.setdefault(_plain(w), w)
    return out


def _sources(code: str) -> tuple[Path, Path]:
    text_pkg, audio_pkg, _ = PACKAGES[code]
    try:
        files = subprocess.run(["dpkg", "-L", text_pkg, audio_pkg], capture_output=True, text=True, check=True).stdout.split()
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"{text_pkg} and {audio_pkg} are not installed: apt-get install {text_pkg} {audio_pkg}") from e
    txt = next(p for p in files if p.endswith(f"core-sounds-{code}.txt.gz"))
    g722 = [p for p in files if p.endswith(".g722")]
    return Path(txt), min((Path(p).parent for p in g722), key=lambda d: len(d.parts))


def _phones(words: list[str], voice: str, code: str) -> dict[str, tuple[str, ...]]:
    from saywell.engine import g2p

    got = g2p.guess_many(words, voice=voice, to_phones=language(code).ipa_to_phones)
    return {w: g.phones for w, g in got.items() if g.phones}


def build_dev_set(code: str, out_dir: Path, max_words: int = 3, max_seconds: float = 4.0, seed: int = 0) -> list[DevItem]:
    """Decode the short prompts into out_dir/wav/, write dev.jsonl and dev.tsv, return the items (once: skipped
    when dev.jsonl exists)."""
    from wordfreq import top_n_list, zipf_frequency

    out_dir = Path(out_dir).resolve()
    if (out_dir / "dev.jsonl").exists():
        from .realspeech import load_dev_set
        return load_dev_set(out_dir)
    _, _, voice = PACKAGES[code]
    txt, root = _sources(code)
    transcripts = read_transcripts(txt)
    vocab = [w for w in top_n_list(code, 60000) if w.isalpha()]
    accented = accented_spellings(vocab)
    numbers = {k.split("/")[1]: v.lower() for k, v in transcripts.items() if re.fullmatch(r"digits/\d+", k)}

    skipped: Counter = Counter()
    kept: list[tuple[str, list[str]]] = []
    for key in sorted(transcripts):
        text = re.sub(r"\[[^\]]*\]|\([^)]*\)|<[^>]*>", " ", transcripts[key]).lower()
        toks = [t.strip("\"'¡!¿?,;:.…") for t in text.split()]
        toks = [numbers.get(t, t) for t in toks if t]
        words = [accented.get(_plain(t), t) for t in " ".join(toks).split()]
        src = root / f"{key}.g722"
        if not src.exists():
            skipped["no audio"] += 1
        elif not words:
            skipped["non-speech"] += 1
        elif not all(w.replace("'", "").isalpha() for w in words):  # French elisions ("l'agent") are one word
            skipped["not plain words"] += 1
        elif len(words) > max_words:
            skipped[f"more than {max_words} words"] += 1
        elif src.stat().st_size / G722_BYTES_PER_S > max_seconds:
            skipped[f"longer than {max_seconds:g} s"] += 1
        else:
            kept.append((key, words))

    jobs = [(root / f"{k}.g722", out_dir / "wav" / f"{k.replace('/', '_')}.wav") for k, _ in kept]
    decode_many(jobs)

    # swap-in words: common, of two letters or more, and spelled with their accents ("fevrier" is a misspelling)
    common = [w for w in vocab[:30000] if len(w) > 1 and accented.get(_plain(w)) == w and zipf_frequency(w, code) > COMMON_ZIPF]
    prons = _phones(sorted({w for _, ws in kept for w in ws} | set(common)), voice, code)
    keys: dict[tuple, list[str]] = defaultdict(list)
    for w in common:
        if w in prons:
            p = prons[w]
            for i in range(len(p)):
                keys[p[:i] + ("*",) + p[i + 1:]].append(w)

    items: list[DevItem] = []
    for (key, words), (_, wav) in zip(kept, jobs):
        if not all(w in prons for w in words):
            skipped["no phones"] += 1
            continue
        wp = [prons[w] for w in words]
        said = tuple(p for ps in wp for p in ps)
        items.append(DevItem(str(wav), " ".join(words), said, said, True, None, None))
        options = [(wi, i, cand) for wi, w in enumerate(words) for i in range(len(wp[wi]))
                   for cand in keys.get(wp[wi][:i] + ("*",) + wp[wi][i + 1:], ()) if prons[cand] != wp[wi]]
        pool_ = sorted(options, key=lambda o: (-zipf_frequency(o[2], code), o))[:TOP_NEIGHBOURS]
        if not pool_:
            skipped["(kept, but no one-phone neighbour)"] += 1
            continue
        wi, pos, cand = random.Random(f"{seed}:{key}").choice(pool_)
        offset = sum(len(p) for p in wp[:wi])
        new = tuple(p for k, ps in enumerate(wp) for p in (prons[cand] if k == wi else ps))
        text = " ".join(cand if k == wi else w for k, w in enumerate(words))
        items.append(DevItem(str(wav), text, new, said, False, offset + pos, said[offset + pos]))
    print(f"{code}: kept {len(kept)} of {len(transcripts)} prompts; skipped: "
          + ", ".join(f"{n} {why}" for why, n in skipped.most_common()))
    write_manifests(items, out_dir)
    return items


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m saywell_train.realspeech_lang LANG OUT_DIR")
    dev = build_dev_set(sys.argv[1], Path(sys.argv[2]))
    bad = [it for it in dev if not it.correct]
    print(f"{len(dev) - len(bad)} correct + {len(bad)} mismatch items")
    for it in bad[:: max(1, len(bad) // 8)][:8]:
        print(f"  {Path(it.audio).stem:>20}: expect '{it.text}' {' '.join(it.phones)}; said {' '.join(it.said_phones)}")
