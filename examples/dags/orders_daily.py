"""orders_daily: clean the day's orders, quarantine the rows that are not fit to use.

Reads every CSV object under the ``orders`` input (``dt=YYYY-MM-DD/part-0.csv``),
writes the good rows to ``<namespace>orders/part-0.csv`` and every bad row to
``<namespace>quarantine/part-0.csv`` with its reasons, the object it came from
and its row number there (1-based, header excluded: the numbering of the fault
injector's report). Both outputs get a manifest.

A row is quarantined when it is unreadable (broken quoting, wrong column
count), has an empty column, a non-numeric amount, an ``ordered_at`` that is
not a timestamp with a time zone or is more than a day before its partition's
date, or repeats an ``order_id`` seen before (the first one is kept).
"""

from __future__ import annotations

import csv
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

COLUMNS = ("order_id", "customer_id", "amount", "currency", "ordered_at")
RULES = RowRules(key="order_id", required=COLUMNS, numbers=("amount",), timestamp="ordered_at")
QUARANTINE_COLUMNS = ("source_file", "source_row", "reason", "record")

CLEAN = "orders/part-0.csv"
QUARANTINE = "quarantine/part-0.csv"

register_production(
    "orders_daily",
    ProductionContext(
        entity="component:default/orders-daily",
        namespace="lake/orders_daily/",
        inputs={"orders": Input(uri="lake/raw/orders/", mode="read-only")},
    ),
)


@dag(
    dag_id="orders_daily",
    schedule="@daily",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    tags=["dag-cicd", "csv"],
    doc_md=__doc__,
)
def orders_daily() -> None:
    @dag_cicd_task(inputs={"orders": {"columns": COLUMNS}}, outputs=[CLEAN, QUARANTINE])
    def clean_orders(io: TaskIO) -> dict[str, int]:
        checker = RowChecker(RULES)
        counts = {"clean": 0, "quarantined": 0}
        with io.open_output(CLEAN, "w") as clean_file, io.open_output(QUARANTINE, "w") as bad_file:
            clean = csv.writer(clean_file, lineterminator="\n")
            quarantine = csv.writer(bad_file, lineterminator="\n")
            clean.writerow(COLUMNS)
            quarantine.writerow(QUARANTINE_COLUMNS)
            for row in io.rows("orders"):
                reasons = checker.check(row)
                if reasons:
                    quarantine.writerow((row.file, row.number, "; ".join(reasons), row.raw))
                    counts["quarantined"] += 1
                else:
                    clean.writerow(row.values[column] for column in COLUMNS)
                    counts["clean"] += 1
        return counts

    clean_orders()


orders_daily()
