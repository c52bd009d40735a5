"""DAG CI/CD for Apache Airflow: the Airflow-side package.

- :mod:`~airflow_dag_cicd.contract`: read and validate ``dag_run.conf["dag_cicd"]``;
- :mod:`~airflow_dag_cicd.production`: production's context, for runs without it;
- :mod:`~airflow_dag_cicd.guard`: the isolation guard every write goes through;
- :mod:`~airflow_dag_cicd.tasks`: ``@dag_cicd_task``, input checks and output manifests;
- :mod:`~airflow_dag_cicd.connections`: conn_id overrides at execution time
  (installed on every task by the ``airflow.policy`` entry point);
- :mod:`~airflow_dag_cicd.macros`: ``{{ macros.dag_cicd.* }}``, through the ``airflow.plugins``
  entry point;
- :mod:`~airflow_dag_cicd.records` and :mod:`~airflow_dag_cicd.quality`: reading
  CSV / JSON Lines rows with their numbers, and deciding what to quarantine.

Importing the package does not import Airflow.
"""

from airflow_dag_cicd import contract
from airflow_dag_cicd.connections import apply_connection_overrides, override_connections
from airflow_dag_cicd.contract import *  # noqa: F403 - the contract's API is contract.__all__
from airflow_dag_cicd.guard import IsolationError, IsolationGuard, assert_writable
from airflow_dag_cicd.manifest import MANIFEST_XCOM_KEY, manifest_uri
from airflow_dag_cicd.production import (
    PRODUCTION_ROOT_ENV,
    PRODUCTION_ROOT_VARIABLE,
    ConfigurationError,
    production_context,
    register_production,
)
from airflow_dag_cicd.quality import RowChecker, RowRules
from airflow_dag_cicd.records import Row, read_rows
from airflow_dag_cicd.runtime import NotDeclaredError, current_guard, resolve_context
from airflow_dag_cicd.tasks import InputCheckError, TaskIO, dag_cicd_task
from airflow_dag_cicd.uris import InvalidPathError

__version__ = "0.2.0"

__all__ = [
    *contract.__all__,
    "MANIFEST_XCOM_KEY",
    "PRODUCTION_ROOT_ENV",
    "PRODUCTION_ROOT_VARIABLE",
    "ConfigurationError",
    "InputCheckError",
    "InvalidPathError",
    "IsolationError",
    "IsolationGuard",
    "NotDeclaredError",
    "Row",
    "RowChecker",
    "RowRules",
    "TaskIO",
    "__version__",
    "apply_connection_overrides",
    "assert_writable",
    "current_guard",
    "dag_cicd_task",
    "manifest_uri",
    "override_connections",
    "production_context",
    "read_rows",
    "register_production",
    "resolve_context",
]
