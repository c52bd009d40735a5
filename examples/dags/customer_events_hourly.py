"""customer_events_hourly: clean the partner's clickstream (JSON Lines).

Reads every JSON Lines object under the ``events`` input
(``dt=YYYY-MM-DD/events.jsonl``), writes the good events to
``<namespace>events/part-0.jsonl`` and every bad line to
``<namespace>quarantine/part-0.jsonl`` as
``{"source_file", "source_row", "reason", "record"}`` (row numbers are 1-based,
blank lines not counted). Both outputs get a manifest.

An event is quarantined when its line is not a JSON object, a field is
missing or null, a field is not a string (a retyped column), its
``event_time`` is not a timestamp with a time zone or is more than a day
before its partition's date, or it repeats an ``event_id``.
"""

from __future__ import annotations

import json
from datetime import datetime

from airflow_dag_cicd import (
    Input,
    ProductionContext,
    RowChecker,
    RowRules,
    TaskIO,
    dag_cicd_task,
    register_production,
)

try:
    from airflow.sdk import dag
except ImportError:  # Airflow 2.10
    from airflow.decorators import dag

FIELDS = ("event_id", "customer_id", "type", "event_time")
RULES = RowRules(key="event_id", required=FIELDS, strings=FIELDS, timestamp="event_time")

CLEAN = "events/part-0.jsonl"
QUARANTINE = "quarantine/part-0.jsonl"

register_production(
    "customer_events_hourly",
    ProductionContext(
        entity="component:default/customer-events",
        namespace="lake/customer_events/",
        inputs={"events": Input(uri="lake/raw/customer_events/", mode="read-only")},
    ),
)


def _line(value: object) -> str:
    return json.dumps(value, separators=(",", ":")) + "\n"


@dag(
    dag_id="customer_events_hourly",
    schedule="@hourly",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    tags=["dag-cicd", "jsonl"],
    doc_md=__doc__,
)
def customer_events_hourly() -> None:
    @dag_cicd_task(inputs={"events": {"columns": FIELDS}}, outputs=[CLEAN, QUARANTINE])
    def clean_events(io: TaskIO) -> dict[str, int]:
        checker = RowChecker(RULES)
        counts = {"clean": 0, "quarantined": 0}
        with io.open_output(CLEAN, "w") as clean, io.open_output(QUARANTINE, "w") as quarantine:
            for row in io.rows("events"):
                reasons = checker.check(row)
                if reasons:
                    quarantine.write(
                        _line(
                            {
                                "source_file": row.file,
                                "source_row": row.number,
                                "reason": "; ".join(reasons),
                                "record": row.raw,
                            }
                        )
                    )
                    counts["quarantined"] += 1
                else:
                    clean.write(_line({field: row.values[field] for field in FIELDS}))
                    counts["clean"] += 1
        return counts

    clean_events()


customer_events_hourly()
