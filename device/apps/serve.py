"""`saywell serve`: the command line of the teacher page (device/apps/teacher_page.py). Kept apart so that the other
saywell commands, which all build this parser, never import a web server."""

from __future__ import annotations

import signal
import sys

from ..errors import SaywellError

from .teacher_auth import DEFAULT_HOST, DEFAULT_PORT


def register(sub) -> None:
    p = sub.add_parser("serve", help="the teacher page: upload word lists, see progress, download the CSV report")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default {DEFAULT_HOST}: this device only); any other, e.g. 0.0.0.0 "
                        "for the classroom network, needs a teacher PIN")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 picks a free one")
    p.add_argument("--set-pin", action="store_true", help="set the teacher PIN (asked twice; two lines on stdin "
                                                          "when it is not a terminal) and exit")
    p.add_argument("--clear-pin", action="store_true", help="remove the teacher PIN (the page then serves localhost only)")
    p.add_argument("--quiet", action="store_true", help="no request log on stderr")
    p.set_defaults(func=cmd_serve)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def cmd_serve(args) -> int:
    from .teacher_auth import pin_path, read_new_pin, store_pin

    if args.set_pin and args.clear_pin:
        raise SaywellError("give --set-pin or --clear-pin, not both")
    if args.set_pin:
        path = store_pin(read_new_pin())
        print(f"teacher PIN saved (hashed) in {path}")
        return 0
    if args.clear_pin:
        path = pin_path()
        path.unlink(missing_ok=True)
        print(f"teacher PIN removed ({path}); saywell serve now listens on this device only")
        return 0
    from .teacher_page import open_server

    server = open_server(args.host, args.port, args.quiet)
    login = "; log in with the teacher PIN" if server.state.auth.login_required else ""
    print(f"saywell teacher page: {server.url()} (Ctrl-C to stop){login}", flush=True)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # systemd stops with SIGTERM: close the socket cleanly
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("saywell teacher page: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
