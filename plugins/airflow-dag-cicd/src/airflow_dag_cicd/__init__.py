"""DAG CI/CD for Apache Airflow: the Airflow-side package.

Reads and validates the run-time contract ``dag_run.conf["dag_cicd"]`` that the
DAG CI/CD backend writes into every DAG run it starts.
"""

from airflow_dag_cicd import contract
from airflow_dag_cicd.contract import *  # noqa: F403 - the public API is contract.__all__

__version__ = "0.1.0"

__all__ = [*contract.__all__, "__version__"]
