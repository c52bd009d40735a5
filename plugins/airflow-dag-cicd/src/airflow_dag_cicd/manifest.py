"""Output manifests: what a task wrote, measured while it was written.

One manifest entry per output: its URI, format, rows, schema, bytes and
SHA-256, computed from the very bytes that went to storage (never read back).
A task's entries are stored together at
``<namespace>_manifests/<run id>/<task id>.json`` (see :func:`manifest_uri`)
and pushed to XCom under :data:`MANIFEST_XCOM_KEY`. Promotion gates compare
them with production's (rows within tolerance, schema equal), so the schema is
inferred the same way for every stage.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import IO, Any

from airflow_dag_cicd.records import Format, RecordSplitter, format_of
from airflow_dag_cicd.uris import resolve_within

__all__ = [
    "MANIFESTS_FOLDER",
    "MANIFEST_XCOM_KEY",
    "ManifestBuilder",
    "MeasuredStream",
    "dumps",
    "manifest_uri",
    "path_segment",
]

#: The XCom key a task's manifest is pushed under.
MANIFEST_XCOM_KEY = "dag_cicd_manifest"
#: The folder of the namespace that holds manifests.
MANIFESTS_FOLDER = "_manifests"

_UNSAFE = re.compile(r"[^A-Za-z0-9_.=+-]")
_INTEGER = re.compile(r"[+-]?\d+\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")


def path_segment(value: str) -> str:
    """``value`` made into one key segment of a namespace.

    Run ids such as ``manual__2026-11-24T10:00:00+00:00`` hold ``:``, which no
    key segment may: every character outside ``[A-Za-z0-9_.=+-]`` becomes
    ``_``. Run ids the backend chooses are already in that alphabet, so for
    them this is the identity and the backend finds the manifest by the run id
    itself. A leading character other than ``[A-Za-z0-9_]`` gets a ``_`` in
    front, a trailing ``.`` a ``_`` after it, and the result is cut to 255.
    """
    segment = _UNSAFE.sub("_", value)
    if not segment or not (segment[0].isalnum() or segment[0] == "_"):
        segment = "_" + segment
    segment = segment[:255]
    return segment[:-1] + "_" if segment.endswith(".") else segment


def manifest_uri(namespace: str, run_id: str, task_id: str, map_index: int = -1) -> str:
    """``<namespace>_manifests/<run id>/<task id>.json``.

    A mapped task instance writes ``<task id>.<map index>.json``.
    """
    name = task_id if map_index is None or map_index < 0 else f"{task_id}.{map_index}"
    return resolve_within(
        namespace, f"{MANIFESTS_FOLDER}/{path_segment(run_id)}/{path_segment(name)}.json"
    )


def _kind(value: Any, from_csv: bool) -> str:
    """The schema type of one value; ``null`` for a missing one."""
    if value is None or (from_csv and value == ""):
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    text = str(value)
    if from_csv and _INTEGER.match(text):
        return "integer"
    if from_csv and _NUMBER.match(text):
        return "number"
    try:
        if datetime.fromisoformat(text).tzinfo is not None:
            return "timestamp"
    except ValueError:
        pass
    return "string"


def _merge(kinds: set[str]) -> str:
    kinds = kinds - {"null"}
    if kinds == {"integer", "number"}:
        return "number"
    return "|".join(sorted(kinds)) or "null"


class ManifestBuilder:
    """Takes the bytes of one output as they are written; :meth:`result` describes them."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.format: Format | None = format_of(uri)
        self._sha256 = hashlib.sha256()
        self._bytes = 0
        self._rows = 0
        self._header: list[str] | None = None
        self._columns: dict[str, set[str]] = {}
        self._splitter = RecordSplitter(self.format) if self.format else None

    def write(self, data: bytes) -> None:
        self._sha256.update(data)
        self._bytes += len(data)
        if self._splitter:
            for record in self._splitter.feed(data):
                self._record(record)

    def _record(self, record: bytes) -> None:
        text = record.rstrip(b"\r\n").decode("utf-8", "replace").lstrip("\ufeff")
        if self.format == "csv":
            if text == "":
                return
            fields = next(csv.reader([text]))
            if self._header is None:
                self._header = fields
                self._columns = {name: set() for name in fields}
                return
            self._rows += 1
            if len(fields) == len(self._header):
                for name, value in zip(self._header, fields, strict=True):
                    self._columns[name].add(_kind(value, from_csv=True))
            return
        if text.strip(" \t\r") == "":
            return
        self._rows += 1
        try:
            value = json.loads(text)
        except ValueError:
            return
        if isinstance(value, dict):
            for name in self._columns.keys() - value.keys():
                self._columns[name].add("null")
            for name, item in value.items():
                if name not in self._columns:
                    # A column first seen late was missing (null) before.
                    self._columns[name] = {"null"} if self._rows > 1 else set()
                self._columns[name].add(_kind(item, from_csv=False))

    def result(self) -> dict[str, Any]:
        if self._splitter:
            for record in self._splitter.end():
                self._record(record)
            self._splitter = None
        schema = (
            [
                {"name": name, "type": _merge(kinds), "nullable": "null" in kinds}
                for name, kinds in self._columns.items()
            ]
            if self.format
            else None
        )
        return {
            "path": self.uri,
            "format": self.format,
            "rows": self._rows if self.format else None,
            "schema": schema,
            "bytes": self._bytes,
            "sha256": self._sha256.hexdigest(),
        }


class MeasuredStream(io.BufferedIOBase):
    """A write-only stream: every byte goes to ``target`` and to a :class:`ManifestBuilder`."""

    def __init__(self, target: IO[bytes], builder: ManifestBuilder) -> None:
        super().__init__()
        self._target = target
        self.builder = builder

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self._target.write(chunk)
        self.builder.write(chunk)
        return len(chunk)

    def flush(self) -> None:
        self._target.flush()


def dumps(manifest: Mapping[str, Any]) -> bytes:
    """A manifest as stored: JSON, keys in a stable order, one trailing newline."""
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
