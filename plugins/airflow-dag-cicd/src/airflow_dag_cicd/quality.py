"""Row checks that decide what a pipeline quarantines.

A :class:`RowChecker` gives every row the reasons it is bad, or none. It finds
the faults the backend's fault injector makes (``chaos`` profile): unreadable
rows, nulls, values of the wrong type (schema drift that retypes a column),
duplicated keys, and timestamps earlier than their partition allows (late
data). Out-of-order rows are not bad: order is not part of a row.

Late is judged against the object's Hive partition ``dt=YYYY-MM-DD`` (the
last such path segment): a row is late when its timestamp is more than
``allowed_lateness`` before the partition's day starts (UTC). Objects without
a ``dt=`` partition are not checked for lateness.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from airflow_dag_cicd.records import Row

__all__ = ["RowChecker", "RowRules", "partition_start"]

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
_PARTITION = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")


def partition_start(uri: str) -> datetime | None:
    """Midnight UTC of the last ``dt=YYYY-MM-DD`` segment of ``uri``, if any."""
    found = _PARTITION.findall(uri)
    if not found:
        return None
    try:
        return datetime.fromisoformat(found[-1]).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


@dataclass(frozen=True)
class RowRules:
    """What a good row looks like."""

    #: The column that identifies a row; a second row with the same key is a duplicate.
    key: str
    #: Columns that must be present and neither null nor empty.
    required: tuple[str, ...]
    #: Columns that must hold a number (a JSON number; in CSV, a decimal literal).
    numbers: tuple[str, ...] = ()
    #: Columns that must hold a JSON string (CSV values always are).
    strings: tuple[str, ...] = ()
    #: A column holding an ISO 8601 timestamp with a time zone.
    timestamp: str | None = None
    #: How far before its partition's day a timestamp may be.
    allowed_lateness: timedelta = field(default=timedelta(days=1))

    def __post_init__(self) -> None:
        for name in ("required", "numbers", "strings"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


def _is_number(value: object, csv: bool) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    return csv and isinstance(value, str) and bool(_NUMBER.match(value.strip()))


def _timestamp(value: object) -> datetime | str:
    """The timestamp, or why it is not one."""
    if not isinstance(value, str):
        return "not a timestamp"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return "not a timestamp"
    if parsed.tzinfo is None:
        return "timestamp without a time zone"
    return parsed


class RowChecker:
    """Checks rows one at a time; remembers keys to find duplicates across objects."""

    def __init__(self, rules: RowRules) -> None:
        self.rules = rules
        self._seen: set[object] = set()

    def check(self, row: Row) -> tuple[str, ...]:
        """Why ``row`` is bad, in a stable order; empty when it is good."""
        if row.error is not None:
            return (f"malformed: {row.error}",)
        rules = self.rules
        values = row.values
        is_csv = row.format == "csv"
        reasons: list[str] = []
        present = set()
        for column in rules.required:
            if column not in values:
                reasons.append(f"missing {column}")
            elif values[column] is None or values[column] == "":
                reasons.append(f"null {column}")
            else:
                present.add(column)
        for column in rules.numbers:
            if column in present and not _is_number(values[column], is_csv):
                reasons.append(f"not a number: {column}")
        for column in rules.strings:
            if column in present and not isinstance(values[column], str):
                reasons.append(f"not a string: {column}")
        if rules.timestamp is not None and rules.timestamp in present:
            reasons.extend(self._check_timestamp(row))
        key = values.get(rules.key)
        if key is not None and key != "" and _hashable(key):
            if key in self._seen:
                reasons.append(f"duplicate {rules.key}")
            self._seen.add(key)
        return tuple(reasons)

    def _check_timestamp(self, row: Row) -> Iterable[str]:
        column = self.rules.timestamp
        assert column is not None
        value = row.values[column]
        parsed = _timestamp(value)
        if isinstance(parsed, str):
            return (f"{parsed}: {column}",)
        start = partition_start(row.file)
        if start is not None and parsed < start - self.rules.allowed_lateness:
            return (f"late {column}: {value} for partition dt={start.date().isoformat()}",)
        return ()


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
