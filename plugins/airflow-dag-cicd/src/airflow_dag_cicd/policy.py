"""The ``dag_cicd`` cluster policy, registered through the ``airflow.policy`` entry point.

Airflow applies it to every task of every DAG it parses, in the DAG processor
and in the worker that runs the task. It installs the connection overrides
(:mod:`airflow_dag_cicd.connections`) as the task's pre-execute hook, so a run
that carries ``conf.dag_cicd.connections`` uses its stage's connections even
in DAGs that do not import this package. A run without ``conf.dag_cicd`` is
left as it is (unless the DAG declares production connections).
"""

from __future__ import annotations

from typing import Any

from airflow.policies import hookimpl

from airflow_dag_cicd.connections import install_connection_overrides

__all__ = ["task_policy"]


@hookimpl
def task_policy(task: Any) -> None:
    install_connection_overrides(task)
