"""`saywell settings`: show and change the teacher settings of this device (classroom/settings.py)."""

from __future__ import annotations

from ..classroom.audio_keep import delete_all, usage
from ..classroom.home import data_home
from ..classroom.settings import (DEFAULT_AUDIO_LIMIT_MB, Settings, check_accent, check_limit_mb, load_settings,
                                  update_settings)
from ..errors import SaywellError


def register(sub) -> None:
    p = sub.add_parser("settings", help="teacher settings of this device: keeping recordings of attempts (off by default)",
                       description="Without arguments: show the settings and the recordings kept. "
                                   "keep-audio on|off: keep each scored attempt's recording (practice and kiosk; off "
                                   "keeps the recordings already made until you delete them). audio-limit-mb N: the oldest "
                                   "recordings are deleted beyond N MB. accent us|gb|any: what counts as right on this "
                                   "device when a word list does not say (saywell lists import --accent). "
                                   "delete-audio: delete every kept recording.")
    p.add_argument("name", nargs="?", choices=("keep-audio", "audio-limit-mb", "accent", "delete-audio"), metavar="SETTING",
                   help="keep-audio, audio-limit-mb, accent or delete-audio")
    p.add_argument("value", nargs="?", help="on|off for keep-audio; a number of MB for audio-limit-mb; us|gb|any for accent")
    p.add_argument("--learner", metavar="NAME_OR_CODE",
                   help="with accent: this learner's accent (over their list's and the device's); 'default' clears it")
    p.set_defaults(func=cmd_settings)


def describe(s: Settings) -> str:
    count, size = usage()
    return (f"keep-audio: {'on' if s.keep_audio else 'off'} "
            f"({'each scored attempt is recorded' if s.keep_audio else 'no recordings are kept'})\n"
            f"audio-limit-mb: {s.audio_limit_mb} (beyond it the oldest recordings are deleted)\n"
            f"kept recordings: {count} ({size / 1e6:.1f} MB) in {data_home() / 'audio'}\n"
            f"accent: {s.accent} (what counts as right, unless a word list or --accent says otherwise)")


def _learner_accent(name: str, value: str) -> int:
    from ..classroom.progress import ProgressStore

    accent = None if value.strip().lower() == "default" else check_accent(value)
    with ProgressStore.default(create=False) as store:
        learner = store.find_learner(name)
        if learner is None:
            raise SaywellError(f"no learner named {name!r}; learners are recorded by saywell practice --learner NAME")
        store.set_learner_accent(learner, accent)
    print(f"{learner.name}: accent {accent}, over their list's and the device's" if accent else
          f"{learner.name}: no accent of their own; their list's or the device's applies")
    return 0


def cmd_settings(args) -> int:
    if args.name is None:
        if args.value is not None:
            raise SaywellError("give a setting's name before its value, e.g. saywell settings keep-audio on")
        print(describe(load_settings()))
        return 0
    if args.name == "delete-audio":
        if args.value is not None:
            raise SaywellError("delete-audio takes no value: saywell settings delete-audio")
        n = delete_all()
        print(f"deleted {n} kept recording{'s' * (n != 1)}")
        return 0
    if args.value is None:
        raise SaywellError(f"give a value: saywell settings {args.name} "
                           + {"keep-audio": "on|off", "accent": "us|gb|any"}.get(args.name, str(DEFAULT_AUDIO_LIMIT_MB)))
    if args.learner is not None and args.name != "accent":
        raise SaywellError("--learner only applies to the accent setting: saywell settings accent gb --learner NAME")
    if args.name == "accent" and args.learner is not None:
        return _learner_accent(args.learner, args.value)
    if args.name == "accent":
        s = update_settings(accent=check_accent(args.value))
        print(f"accent: {s.accent}; practice, the kiosk and score follow it unless a word list or --accent says otherwise")
        return 0
    if args.name == "keep-audio":
        value = args.value.strip().lower()
        if value not in ("on", "off"):
            raise SaywellError(f"keep-audio is on or off, not {args.value!r}")
        s = update_settings(keep_audio=value == "on")
        print("keep-audio: on; practice and the kiosk now keep each scored attempt's recording "
              f"(at most {s.audio_limit_mb} MB, oldest deleted first)" if s.keep_audio else
              "keep-audio: off; no new recordings are kept. Recordings already kept stay until deleted: "
              "saywell settings delete-audio")
        return 0
    s = update_settings(audio_limit_mb=check_limit_mb(args.value))
    print(f"audio-limit-mb: {s.audio_limit_mb} (applied at the next kept recording)")
    return 0
