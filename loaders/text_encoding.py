"""Detect the text encoding of one CSV file: UTF-8 (with or without a byte-order mark), GBK or
GB18030, tried in that order, or the encoding an operator names for every file.
"""

import codecs
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import DatasetEncodingError

UTF8_BOM = "UTF-8 with BOM"
# Tried in order: GBK is the common Chinese export, GB18030 its superset (rare characters).
DETECTED = ("UTF-8", "GBK", "GB18030")


@dataclass(frozen=True)
class DecodedText:
    text: str
    # How the report names it: "UTF-8", "UTF-8 with BOM", "GBK", "GB18030" or the given one.
    encoding: str


def decode_file(path: Path, data: bytes, encoding: str | None = None) -> DecodedText:
    """The file's text in `encoding`, or in the first detected encoding that decodes it whole."""
    if encoding is not None:
        return DecodedText(_decode(path, data, encoding), _name(encoding, data))
    if data.startswith(codecs.BOM_UTF8):
        return DecodedText(_decode(path, data, "utf-8"), UTF8_BOM)
    try:
        return DecodedText(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as error:
        if _mostly_utf8(data):
            # A UTF-8 file with a damaged byte would decode as GBK into wrong characters.
            raise _encoding_error(path, data, error, "UTF-8") from error
        first = error
    for candidate in DETECTED[1:]:
        try:
            return DecodedText(data.decode(candidate), candidate)
        except UnicodeDecodeError:
            continue
    raise _encoding_error(path, data, first, " / ".join(DETECTED)) from first


def _name(encoding: str, data: bytes) -> str:
    if codecs.lookup(encoding).name == "utf-8":
        return UTF8_BOM if data.startswith(codecs.BOM_UTF8) else "UTF-8"
    return encoding


def _decode(path: Path, data: bytes, encoding: str) -> str:
    # utf-8-sig accepts a file with or without a byte-order mark.
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise _encoding_error(path, data, error, encoding) from error


def _mostly_utf8(data: bytes) -> bool:
    """More well-formed non-ASCII UTF-8 characters than broken bytes: damaged UTF-8, not GBK."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return non_ascii - broken > broken


def _encoding_error(
    path: Path, data: bytes, error: UnicodeDecodeError, tried: str
) -> DatasetEncodingError:
    line = data.count(b"\n", 0, error.start) + 1
    return DatasetEncodingError(path, tried, error.start, line)
