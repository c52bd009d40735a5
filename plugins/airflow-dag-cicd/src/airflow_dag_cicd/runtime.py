"""The environment of the task instance that is running: its context and its guard.

Everything here takes the Airflow template context (what ``**context`` holds
in a task, or ``get_current_context()`` returns) and reads
``dag_run.conf["dag_cicd"]``:

- present: it is validated and parsed (an invalid one raises
  :class:`~airflow_dag_cicd.contract.ContractError`; it never falls back to
  production);
- absent: the run is production's own, resolved with
  :func:`~airflow_dag_cicd.production.production_context`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_dag_cicd.contract import CONF_KEY, DagCicdContext, parse_conf
from airflow_dag_cicd.guard import IsolationGuard
from airflow_dag_cicd.production import (
    ConfigurationError,
    production_context,
    registered_production,
)

__all__ = [
    "NotDeclaredError",
    "artifact_uri",
    "connection_id",
    "current_guard",
    "dag_id_of",
    "input_uri",
    "production_prefix",
    "resolve_context",
    "run_conf",
]


class NotDeclaredError(LookupError):
    """An input or artifact name the run's context does not hold."""

    def __str__(self) -> str:  # LookupError would show the repr of the message
        return str(self.args[0])


def run_conf(context: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``dag_run.conf`` of the running task, or None."""
    dag_run = context.get("dag_run")
    conf = getattr(dag_run, "conf", None)
    return conf if isinstance(conf, Mapping) else None


def dag_id_of(context: Mapping[str, Any]) -> str:
    dag = context.get("dag")
    if dag is not None:
        return str(dag.dag_id)
    ti = context.get("ti") or context.get("task_instance")
    if ti is not None:
        return str(ti.dag_id)
    raise ValueError("the Airflow context names no DAG (no 'dag' and no 'ti')")


def resolve_context(context: Mapping[str, Any]) -> DagCicdContext:
    """The DAG CI/CD context of the running task."""
    conf = run_conf(context)
    if conf is not None and CONF_KEY in conf:
        return parse_conf(conf[CONF_KEY])
    return production_context(dag_id_of(context))


def production_prefix(context: Mapping[str, Any], resolved: DagCicdContext) -> str:
    """The prefix no other run may write under.

    For a production run it is its own namespace. Any other run needs the DAG's
    declared production context: without it, nothing could tell a production
    path from another, so the guard refuses to be built.
    """
    dag_id = dag_id_of(context)
    if registered_production(dag_id) is not None:
        return production_context(dag_id).namespace
    if resolved.is_production:
        return resolved.namespace
    raise ConfigurationError(
        f"DAG {dag_id!r} declares no production context, so the isolation guard cannot tell "
        f"production paths apart: call airflow_dag_cicd.register_production({dag_id!r}, "
        "ProductionContext(...)) in its DAG file"
    )


def current_guard(context: Mapping[str, Any] | None = None) -> IsolationGuard:
    """The isolation guard of the running task (``context`` defaults to the current one)."""
    if context is None:
        from airflow_dag_cicd._compat import get_current_context

        context = get_current_context()
    resolved = resolve_context(context)
    return IsolationGuard(resolved.namespace, production_prefix(context, resolved))


def _named(kind: str, mapping: Mapping[str, Any], name: str, resolved: DagCicdContext) -> Any:
    try:
        return mapping[name]
    except KeyError:
        known = ", ".join(sorted(mapping)) or "none"
        raise NotDeclaredError(
            f"{kind} {name!r} is not in the context of environment {resolved.environment!r} "
            f"(stage {resolved.stage}); its {kind}s: {known}"
        ) from None


def input_uri(resolved: DagCicdContext, name: str) -> str:
    """Where to read input ``name``."""
    return str(_named("input", resolved.inputs, name, resolved).uri)


def artifact_uri(resolved: DagCicdContext, name: str) -> str:
    """The URI of artifact ``name`` (a JAR, a PY file...) built for the run's commit."""
    return str(_named("artifact", resolved.artifacts, name, resolved))


def connection_id(resolved: DagCicdContext, declared: str) -> str:
    """The conn_id this run uses for the one the DAG declares (itself when not overridden)."""
    return str(resolved.connections.get(declared, declared))
