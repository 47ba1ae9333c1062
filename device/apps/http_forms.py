"""Request bodies as the teacher page reads them: URL-encoded and multipart forms, each fault a 400 with one line.

Kept apart from the pages (teacher_page.py) because it is the part that reads untrusted bytes: the standard
library's cgi module, which used to parse these, is gone from Python 3.13.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value
from urllib.parse import parse_qs


class HttpError(Exception):
    """A request we refuse: the status and one line for the teacher."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass(frozen=True)
class FormPart:
    name: str
    data: bytes
    filename: str | None = None


def _header_params(value: str) -> Message:
    m = Message()
    m["content-type"] = value
    return m


def parse_urlencoded(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as e:
        raise HttpError(400, f"the form could not be read ({e}); reload the page and try again") from None
    return {k: v[0] for k, v in fields.items()}


def parse_multipart(body: bytes, content_type: str) -> dict[str, FormPart]:
    """multipart/form-data as browsers send it; anything else is a 400 saying what was wrong."""
    boundary = _header_params(content_type).get_param("boundary")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70:
        raise HttpError(400, "the upload has no valid multipart boundary; upload the file with the form on the page")
    delim = b"--" + boundary.encode("latin-1")
    if not body.startswith(delim):
        at = body.find(b"\r\n" + delim)
        if at < 0:
            raise HttpError(400, "the upload is not multipart/form-data as declared; upload the file with the form on the page")
        body = body[at + 2:]
    chunks = body.split(b"\r\n" + delim)
    if not chunks[-1].startswith(b"--"):
        raise HttpError(400, "the upload was cut off (no closing boundary); upload the file again")
    parts: dict[str, FormPart] = {}
    for chunk in chunks[:-1]:
        chunk = chunk.removeprefix(delim)
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise HttpError(400, "a part of the upload has no headers; upload the file with the form on the page")
        headers = _header_params("x/x")
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon and key.strip().lower() == "content-disposition":
                headers = _header_params("form-data; " + value.strip().partition(";")[2])
        name = headers.get_param("name")
        if not isinstance(name, str) or not name:
            raise HttpError(400, "a part of the upload has no field name; upload the file with the form on the page")
        filename = headers.get_param("filename")
        if isinstance(filename, tuple):  # RFC 2231 filename*=UTF-8''...
            filename = collapse_rfc2231_value(filename)
        parts.setdefault(name, FormPart(name, data, filename))
    return parts


def upload_name(filename: str) -> str:
    """The last component of a browser-given file name (some send a whole Windows path), printable only."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[:120] or "upload"
