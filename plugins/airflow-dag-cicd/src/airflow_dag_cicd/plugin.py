"""The ``dag_cicd`` Airflow plugin, registered through the ``airflow.plugins`` entry point.

It adds the template macros of :mod:`airflow_dag_cicd.macros` as
``{{ macros.dag_cicd.<name>(...) }}``.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from airflow_dag_cicd import macros

__all__ = ["DagCicdPlugin"]


class DagCicdPlugin(AirflowPlugin):
    name = "dag_cicd"
    macros = [macros.path, macros.input, macros.artifact, macros.conn_id, macros.environment]
