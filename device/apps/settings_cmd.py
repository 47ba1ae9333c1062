"""`saywell settings`: show and change the teacher settings of this device (classroom/settings.py)."""

from __future__ import annotations

from ..classroom.audio_keep import delete_all, usage
from ..classroom.home import data_home
from ..classroom.settings import DEFAULT_AUDIO_LIMIT_MB, Settings, check_limit_mb, load_settings, update_settings
from ..errors import SaywellError


def register(sub) -> None:
    p = sub.add_parser("settings", help="teacher settings of this device: keeping recordings of attempts (off by default)",
                       description="Without arguments: show the settings and the recordings kept. "
                                   "keep-audio on|off: keep each scored attempt's recording (practice and kiosk; off "
                                   "keeps the recordings already made until you delete them). audio-limit-mb N: the oldest "
                                   "recordings are deleted beyond N MB. delete-audio: delete every kept recording.")
    p.add_argument("name", nargs="?", choices=("keep-audio", "audio-limit-mb", "delete-audio"), metavar="SETTING",
                   help="keep-audio, audio-limit-mb or delete-audio")
    p.add_argument("value", nargs="?", help="on|off for keep-audio; a number of MB for audio-limit-mb")
    p.set_defaults(func=cmd_settings)


def describe(s: Settings) -> str:
    count, size = usage()
    return (f"keep-audio: {'on' if s.keep_audio else 'off'} "
            f"({'each scored attempt is recorded' if s.keep_audio else 'no recordings are kept'})\n"
            f"audio-limit-mb: {s.audio_limit_mb} (beyond it the oldest recordings are deleted)\n"
            f"kept recordings: {count} ({size / 1e6:.1f} MB) in {data_home() / 'audio'}")


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
                           + ("on|off" if args.name == "keep-audio" else str(DEFAULT_AUDIO_LIMIT_MB)))
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
