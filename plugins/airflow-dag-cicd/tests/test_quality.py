"""What gets quarantined: exactly the rows the backend's fault injector reports.

tests/fixtures/chaos holds the example lake's raw orders and customer events
after the real injector (plugins/dag-cicd-backend/src/profiles/faults), with
its report; tests/fixtures/chaos-retype one orders file whose amount column
was retyped (see tests/fixtures/README.md).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from airflow_dag_cicd.quality import RowChecker, RowRules, partition_start
from airflow_dag_cicd.records import Row, read_rows

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROW_FAULTS = {"nulls", "malformed", "duplicates", "late"}

ORDERS = RowRules(
    key="order_id",
    required=("order_id", "customer_id", "amount", "currency", "ordered_at"),
    numbers=("amount",),
    timestamp="ordered_at",
)
EVENTS = RowRules(
    key="event_id",
    required=("event_id", "customer_id", "type", "event_time"),
    strings=("event_id", "customer_id", "type", "event_time"),
    timestamp="event_time",
)


def quarantine(base: Path, pattern: str, rules: RowRules) -> dict[tuple[str, int], tuple[str, ...]]:
    checker = RowChecker(rules)
    found = {}
    for path in sorted(base.glob(pattern)):
        relative = path.relative_to(base).as_posix()
        with path.open("rb") as stream:
            for row in read_rows(stream, relative):
                reasons = checker.check(row)
                if reasons:
                    found[(relative, row.number)] = reasons
    return found


def reported(base: Path, prefix: str) -> dict[tuple[str, int], set[str]]:
    faults: dict[tuple[str, int], set[str]] = {}
    for line in (base / "report.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry.get("fault") in ROW_FAULTS and entry["file"].startswith(prefix):
            faults.setdefault((entry["file"], entry["row"]), set()).add(entry["fault"])
    return faults


@pytest.mark.parametrize(
    ("pattern", "rules", "prefix"),
    [
        ("inputs/orders/*/*.csv", ORDERS, "inputs/orders/"),
        ("inputs/customer_events/*/*.jsonl", EVENTS, "inputs/customer_events/"),
    ],
)
def test_quarantines_exactly_the_rows_the_injector_reports(
    pattern: str, rules: RowRules, prefix: str
) -> None:
    base = FIXTURES / "chaos"
    expected = reported(base, prefix)
    found = quarantine(base, pattern, rules)
    assert set(found) == set(expected)
    assert {fault for faults in expected.values() for fault in faults} == ROW_FAULTS
    # Each reason names the fault; except that the injector reports the copy
    # of a bad row as a duplicate only, while it is just as bad as the row it
    # copies (a malformed row's key cannot even be read).
    words = {"nulls": "null", "malformed": "malformed", "duplicates": "duplicate", "late": "late"}
    for (file, number), faults in expected.items():
        reasons = found[(file, number)]
        named = any(words[f] in reason for f in faults for reason in reasons)
        copied = faults == {"duplicates"} and found.get((file, number - 1)) == reasons
        assert named or copied, (file, number, faults, reasons)


def test_quarantines_every_row_of_a_file_whose_amount_was_retyped() -> None:
    base = FIXTURES / "chaos-retype"
    found = quarantine(base, "inputs/orders/*/*.csv", ORDERS)
    with (base / "inputs/orders/dt=2026-11-23/part-0.csv").open("rb") as stream:
        rows = sum(1 for _ in read_rows(stream, "x.csv"))
    assert len(found) == rows
    assert all(
        "not a number: amount" in reasons or "null amount" in reasons for reasons in found.values()
    )
    for where in reported(base, "inputs/"):
        assert where in found


def row(
    values: dict[str, object], file: str = "file:///raw/dt=2026-11-24/part-0.csv", number: int = 1
) -> Row:
    return Row(file, "csv" if file.endswith(".csv") else "jsonl", number, "", values)


GOOD = {
    "order_id": "1",
    "customer_id": "c1",
    "amount": "12.50",
    "currency": "EUR",
    "ordered_at": "2026-11-24T10:00:00Z",
}


class TestRowChecker:
    def test_passes_a_good_row(self) -> None:
        assert RowChecker(ORDERS).check(row(GOOD)) == ()

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({"customer_id": ""}, "null customer_id"),
            ({"amount": "text:12.50"}, "not a number: amount"),
            ({"ordered_at": "yesterday"}, "not a timestamp: ordered_at"),
            ({"ordered_at": "2026-11-24T10:00"}, "timestamp without a time zone: ordered_at"),
            ({"ordered_at": "2026-11-22T23:59:59Z"}, "late ordered_at"),
        ],
    )
    def test_names_what_is_wrong(self, change: dict[str, str], reason: str) -> None:
        (got,) = RowChecker(ORDERS).check(row({**GOOD, **change}))
        assert got.startswith(reason)

    def test_allows_lateness_up_to_the_configured_window(self) -> None:
        late_by_hours = {**GOOD, "ordered_at": "2026-11-23T01:00:00+00:00"}
        assert RowChecker(ORDERS).check(row(late_by_hours)) == ()
        strict = RowRules(**{**ORDERS.__dict__, "allowed_lateness": timedelta(0)})
        assert RowChecker(strict).check(row(late_by_hours))[0].startswith("late")

    def test_keeps_the_first_of_a_key_and_quarantines_its_repeats_across_files(self) -> None:
        checker = RowChecker(ORDERS)
        assert checker.check(row(GOOD)) == ()
        other_file = "file:///raw/dt=2026-11-24/part-1.csv"
        assert checker.check(row(GOOD, other_file, 7)) == ("duplicate order_id",)

    def test_reports_a_malformed_row_alone(self) -> None:
        bad = Row("x.csv", "csv", 3, "1,2", error="expected 5 columns, got 2")
        assert RowChecker(ORDERS).check(bad) == ("malformed: expected 5 columns, got 2",)

    def test_json_types_are_checked_strictly(self) -> None:
        event = {
            "event_id": "e1",
            "customer_id": ["c1"],
            "type": None,
            "event_time": "2026-11-24T00:00:00Z",
        }
        reasons = RowChecker(EVENTS).check(row(event, "file:///raw/dt=2026-11-24/e.jsonl"))
        assert reasons == ("null type", "not a string: customer_id")
        numbers = RowRules(key="id", required=("id", "n"), numbers=("n",))
        assert RowChecker(numbers).check(row({"id": 1, "n": "12"}, "x.jsonl")) == (
            "not a number: n",
        )
        assert RowChecker(numbers).check(row({"id": 2, "n": 12.5}, "x.jsonl")) == ()


def test_partition_start_is_the_last_dt_segment() -> None:
    start = partition_start("s3://lake/raw/dt=2026-11-01/x/dt=2026-11-24/part-0.csv")
    assert start is not None and start.isoformat() == "2026-11-24T00:00:00+00:00"
    assert partition_start("s3://lake/raw/part-0.csv") is None
    assert partition_start("s3://lake/raw/dt=2026-13-45/part-0.csv") is None
