"""revenue_report: a Spark job whose JAR is built per commit.

The application is ``macros.dag_cicd.artifact('etl_jar')`` (the JAR built for
the environment's commit), it reads the ``orders`` input and writes under the
environment's namespace. Its ``conn_id`` stays ``spark_default`` in the code:
the ``dag_cicd`` cluster policy swaps it for the stage's connection
(``conf.dag_cicd.connections``, e.g. ``spark_ci``) just before it executes.
``SparkSubmitOperator`` keeps it in ``_conn_id``, which is not a templated
field, so a macro could not do that.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from airflow_dag_cicd import Input, ProductionContext, register_production

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.10
    from airflow import DAG

register_production(
    "revenue_report",
    ProductionContext(
        entity="component:default/revenue-report",
        namespace="lake/revenue_report/",
        inputs={"orders": Input(uri="lake/orders_daily/orders/", mode="read-only")},
        artifacts={"etl_jar": "s3://artifacts/revenue-report/production/revenue-report.jar"},
    ),
)

with DAG(
    dag_id="revenue_report",
    schedule="@daily",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    tags=["dag-cicd", "spark"],
    doc_md=__doc__,
):
    SparkSubmitOperator(
        task_id="aggregate_revenue",
        conn_id="spark_default",
        application="{{ macros.dag_cicd.artifact('etl_jar') }}",
        java_class="com.example.revenue.RevenueReport",
        name="revenue_report-{{ macros.dag_cicd.environment().environment }}",
        application_args=[
            "--orders",
            "{{ macros.dag_cicd.input('orders') }}",
            "--output",
            "{{ macros.dag_cicd.path('revenue/') }}",
            "--run-id",
            "{{ run_id }}",
        ],
    )
