"""A DAG that reports what DAG CI/CD resolved for its run, for the tests.

``render`` returns its rendered macros and its conn_id attributes (after the
connection overrides); ``write`` writes one declared output through
``@dag_cicd_task``; ``escape`` tries to write where its run may not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, BaseOperator, Param

from airflow_dag_cicd import (
    Input,
    ProductionContext,
    TaskIO,
    current_guard,
    dag_cicd_task,
    register_production,
)

DAG_ID = "dag_cicd_probe"

register_production(
    DAG_ID,
    ProductionContext(
        entity="component:default/probe",
        namespace="lake/probe/",
        inputs={"events": Input(uri="lake/raw/events/", mode="read-only")},
        artifacts={"etl_jar": "file:///artifacts/probe/production/etl.jar"},
    ),
)


class ReportOperator(BaseOperator):
    """Returns its templated fields and its conn_id attributes as they are at execute time."""

    template_fields = ("rendered",)

    def __init__(self, *, rendered: dict[str, str], conn_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rendered = rendered
        self.conn_id = conn_id
        # Kept privately and outside template_fields, as SparkSubmitOperator does.
        self._warehouse_conn_id = "warehouse_default"
        self.unrelated_conn_id = "untouched_default"

    def execute(self, context: Any) -> dict[str, Any]:
        return {
            "rendered": self.rendered,
            "conn_id": self.conn_id,
            "_warehouse_conn_id": self._warehouse_conn_id,
            "unrelated_conn_id": self.unrelated_conn_id,
        }


with DAG(
    DAG_ID,
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"escape_to": Param("", type="string")},
) as dag:
    ReportOperator(
        task_id="render",
        conn_id="spark_default",
        rendered={
            "path": "{{ macros.dag_cicd.path('orders/') }}",
            "namespace": "{{ macros.dag_cicd.path() }}",
            "input": "{{ macros.dag_cicd.input('events') }}",
            "artifact": "{{ macros.dag_cicd.artifact('etl_jar') }}",
            "conn": "{{ macros.dag_cicd.conn_id('spark_default') }}",
            "environment": "{{ macros.dag_cicd.environment().environment }}",
            "stage": "{{ macros.dag_cicd.environment().stage }}",
        },
    )

    # A mapped task: the policy reaches it through its partial arguments.
    ReportOperator.partial(task_id="render_mapped", conn_id="spark_default").expand(
        rendered=[{"index": "0"}, {"index": "1"}]
    )

    @dag_cicd_task(outputs=["report/part-0.csv"])
    def write(io: TaskIO) -> str:
        with io.open_output("report/part-0.csv", "w") as out:
            out.write("id,value\n1,10\n2,20\n")
        return io.output_uri("report/part-0.csv")

    write()

    @dag_cicd_task(task_id="escape")
    def escape(io: TaskIO, params: dict[str, Any] | None = None) -> None:
        """Writes to `params.escape_to` (a URI or a key of the namespace) through the guard."""
        target = (params or {}).get("escape_to") or ""
        if not target:
            return
        uri = target if "://" in target or target.startswith("/") else io.context.namespace + target
        with current_guard().open(uri, "w") as out:
            out.write("written by escape\n")

    escape()
