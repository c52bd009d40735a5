"""DAG CI/CD for Apache Airflow: the Airflow-side package.

Reads and validates the run-time contract ``dag_run.conf["dag_cicd"]`` that the
DAG CI/CD backend writes into every DAG run it starts.
"""

from airflow_dag_cicd.contract import (
    CONF_KEY,
    PRODUCTION,
    ContractError,
    DagCicdContext,
    Input,
    InputMode,
    ProductionContext,
    context_from_run_conf,
    load_schema,
    parse_conf,
    validate_conf,
)

__version__ = "0.1.0"

__all__ = [
    "CONF_KEY",
    "PRODUCTION",
    "ContractError",
    "DagCicdContext",
    "Input",
    "InputMode",
    "ProductionContext",
    "__version__",
    "context_from_run_conf",
    "load_schema",
    "parse_conf",
    "validate_conf",
]
