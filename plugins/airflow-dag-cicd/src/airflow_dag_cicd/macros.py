"""Template macros: ``{{ macros.dag_cicd.path('orders') }}`` and friends.

Registered by the ``dag_cicd`` Airflow plugin (:mod:`airflow_dag_cicd.plugin`).
Each macro takes the template context from Jinja (``pass_context``), so it
resolves from the rendering task's ``dag_run.conf["dag_cicd"]``, or from the
DAG's production context when the run has none.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context

from airflow_dag_cicd import runtime
from airflow_dag_cicd.contract import DagCicdContext
from airflow_dag_cicd.uris import resolve_within

__all__ = ["artifact", "conn_id", "environment", "input", "path"]


@pass_context
def path(context: Any, relative: str = "") -> str:
    """``relative`` under the run's namespace (production's prefix for a production run).

    ``path('orders/')`` is a folder, ``path('orders/part-0.csv')`` an object,
    ``path()`` the namespace itself. ``..``, absolute paths and URIs are refused.
    """
    namespace = runtime.resolve_context(context).namespace
    return resolve_within(namespace, relative) if relative else namespace


@pass_context
def input(context: Any, name: str) -> str:
    """The URI of input ``name``."""
    return runtime.input_uri(runtime.resolve_context(context), name)


@pass_context
def artifact(context: Any, name: str) -> str:
    """The URI of artifact ``name`` built for the run's commit."""
    return runtime.artifact_uri(runtime.resolve_context(context), name)


@pass_context
def conn_id(context: Any, declared: str) -> str:
    """The conn_id the run uses in place of ``declared``."""
    return runtime.connection_id(runtime.resolve_context(context), declared)


@pass_context
def environment(context: Any) -> DagCicdContext:
    """The whole context: ``.environment``, ``.stage``, ``.commit``, ``.namespace``..."""
    return runtime.resolve_context(context)
