"""Reading CSV and JSON Lines objects row by row, with their row numbers.

Rows are split and numbered exactly as the backend's fault injector does
(``plugins/dag-cicd-backend/src/profiles/faults/RecordSplitter.ts``), so that a
row number here names the same row as a line of the injector's report:

- a JSON Lines record ends at every ``\\n``; a CSV record at a ``\\n`` outside
  double quotes (a quote toggles quoting, so ``""`` toggles twice);
- ``\\r\\n`` and ``\\n`` endings are stripped; a UTF-8 BOM at the start is skipped;
- blank lines are not rows (in CSV an empty line; in JSON Lines a line of
  spaces, tabs or ``\\r``);
- a CSV object's first non-blank record is its header;
- rows are numbered from 1, header excluded.

A row that cannot be read (broken quoting, wrong column count, invalid JSON,
not UTF-8) is still yielded, with :attr:`Row.error` saying why, so that it can
be quarantined under its number rather than lost.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Literal

__all__ = ["Format", "RecordSplitter", "Row", "columns_of", "format_of", "read_rows"]

Format = Literal["csv", "jsonl"]

_EXTENSIONS: Mapping[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_BOM = b"\xef\xbb\xbf"
_CHUNK = 1024 * 1024


def format_of(uri: str) -> Format | None:
    """``csv`` or ``jsonl`` by the extension of the object's name (case-insensitive)."""
    name = uri.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return None if dot == -1 else _EXTENSIONS.get(name[dot:].lower())


class RecordSplitter:
    """Splits a byte stream into records, chunk by chunk, line endings kept."""

    def __init__(self, fmt: Format) -> None:
        self._quotes = fmt == "csv"
        self._in_quotes = False
        self._pending = b""
        # How much of the pending bytes was scanned already (quote state included).
        self._scanned = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        records: list[bytes] = []
        data = self._pending + chunk if self._pending else chunk
        start = 0
        position = self._scanned
        length = len(data)
        while position < length:
            if self._in_quotes:
                quote = data.find(b'"', position)
                if quote == -1:
                    break
                self._in_quotes = False
                position = quote + 1
                continue
            newline = data.find(b"\n", position)
            if self._quotes:
                quote = data.find(b'"', position)
                if quote != -1 and (newline == -1 or quote < newline):
                    self._in_quotes = True
                    position = quote + 1
                    continue
            if newline == -1:
                break
            position = newline + 1
            records.append(data[start:position])
            start = position
        # Whatever is left was scanned to the end without ending a record.
        self._pending = data[start:]
        self._scanned = len(self._pending)
        return records

    def end(self) -> list[bytes]:
        """The last record, when it has no line ending."""
        rest = self._pending
        self._pending = b""
        self._scanned = 0
        return [rest] if rest else []


def _content(record: bytes) -> bytes:
    if record.endswith(b"\r\n"):
        return record[:-2]
    if record.endswith(b"\n"):
        return record[:-1]
    return record


@dataclass(frozen=True)
class Row:
    """One data row of an object."""

    #: The object's URI.
    file: str
    format: Format
    #: 1-based data row number (header and blank lines excluded).
    number: int
    #: The row as written, without its line ending (undecodable bytes replaced).
    raw: str
    #: Column name -> value; for CSV every value is a string. Empty when unreadable.
    values: Mapping[str, Any] = field(default_factory=dict)
    #: Why the row cannot be read, or None.
    error: str | None = None


def _records(stream: IO[bytes], fmt: Format) -> Iterator[bytes]:
    splitter = RecordSplitter(fmt)
    head = stream.read(len(_BOM))
    if head != _BOM:
        yield from splitter.feed(head)
    while chunk := stream.read(_CHUNK):
        yield from splitter.feed(chunk)
    yield from splitter.end()


def _is_blank(content: bytes, fmt: Format) -> bool:
    # In CSV a line of spaces is a row with one value; in JSON it is nothing.
    return content == b"" if fmt == "csv" else content.strip(b" \t\r") == b""


def _parse_csv(text: str) -> list[str]:
    # strict: `"10"x` is an error, not the value `10x`.
    return next(csv.reader([text], strict=True))


def read_rows(stream: IO[bytes], uri: str, fmt: Format | None = None) -> Iterator[Row]:
    """The data rows of one CSV or JSON Lines object read from ``stream``."""
    fmt = fmt or format_of(uri)
    if fmt is None:
        raise ValueError(f"{uri!r} is neither CSV nor JSON Lines (.csv, .jsonl, .ndjson)")
    header: list[str] | None = None
    number = 0
    for record in _records(stream, fmt):
        content = _content(record)
        if _is_blank(content, fmt):
            continue
        decode_error: str | None = None
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            text, decode_error = content.decode("utf-8", "replace"), f"not UTF-8: {error.reason}"
        if fmt == "csv" and header is None:
            try:
                header = _parse_csv(text)
            except csv.Error:
                header = next(csv.reader([text]))
            continue
        number += 1
        if decode_error:
            yield Row(uri, fmt, number, text, error=decode_error)
        elif fmt == "csv":
            yield _csv_row(uri, number, text, header or [])
        else:
            yield _json_row(uri, number, text)


def _csv_row(uri: str, number: int, text: str, header: list[str]) -> Row:
    try:
        fields = _parse_csv(text)
    except csv.Error as error:
        return Row(uri, "csv", number, text, error=f"unparseable CSV: {error}")
    if len(fields) != len(header):
        return Row(
            uri, "csv", number, text, error=f"expected {len(header)} columns, got {len(fields)}"
        )
    return Row(uri, "csv", number, text, values=dict(zip(header, fields, strict=True)))


def _json_row(uri: str, number: int, text: str) -> Row:
    try:
        value = json.loads(text)
    except ValueError as error:
        return Row(uri, "jsonl", number, text, error=f"invalid JSON: {error}")
    if not isinstance(value, dict):
        return Row(
            uri, "jsonl", number, text, error=f"not a JSON object but {type(value).__name__}"
        )
    return Row(uri, "jsonl", number, text, values=value)


def columns_of(stream: IO[bytes], uri: str, fmt: Format | None = None) -> list[str] | None:
    """The columns of an object: a CSV header, or the keys of the first readable JSON object.

    None when there are none to read (an empty object).
    """
    fmt = fmt or format_of(uri)
    if fmt is None:
        raise ValueError(f"{uri!r} is neither CSV nor JSON Lines (.csv, .jsonl, .ndjson)")
    for record in _records(stream, fmt):
        content = _content(record)
        if _is_blank(content, fmt):
            continue
        text = content.decode("utf-8", "replace")
        if fmt == "csv":
            try:
                return _parse_csv(text)
            except csv.Error:
                return next(csv.reader([text]))
        row = _json_row(uri, 1, text)
        if row.error is None:
            return list(row.values)
    return None
