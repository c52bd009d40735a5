"""Connection overrides, applied to the operator that is about to execute.

``conf.dag_cicd.connections`` maps the conn_id a DAG declares to the one this
stage uses (``spark_default -> spark_ci``). Templating alone cannot apply it:
many operators keep their conn_id in an attribute that is not a templated
field (``SparkSubmitOperator._conn_id``, ``SQLExecuteQueryOperator.conn_id``,
``S3CreateObjectOperator.aws_conn_id``...). So the override rewrites, on the
task instance's own copy of the operator and just before ``execute``, every
attribute whose name ends in ``conn_id`` and whose value is a declared id.

The cluster policy in :mod:`airflow_dag_cicd.policy` installs
:func:`apply_connection_overrides` as every task's pre-execute hook; a DAG can
also pass it itself: ``default_args={"pre_execute": apply_connection_overrides}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from airflow_dag_cicd.contract import CONF_KEY, parse_conf
from airflow_dag_cicd.production import registered_production
from airflow_dag_cicd.runtime import dag_id_of, run_conf

__all__ = [
    "apply_connection_overrides",
    "install_connection_overrides",
    "override_connections",
]

log = logging.getLogger(__name__)

# Set on the hooks installed here, so that installing twice changes nothing.
_INSTALLED = "__dag_cicd_connection_overrides__"


def override_connections(
    task: object, connections: Mapping[str, str]
) -> dict[str, tuple[str, str]]:
    """Rewrite ``task``'s ``*conn_id`` attributes per ``connections``.

    :returns: attribute name -> (declared id, id now used), for each one changed
    """
    changed: dict[str, tuple[str, str]] = {}
    for name, value in list(vars(task).items()):
        if not name.endswith("conn_id") or not isinstance(value, str):
            continue
        replacement = connections.get(value)
        if replacement is not None and replacement != value:
            setattr(task, name, replacement)
            changed[name] = (value, replacement)
    return changed


def _connections(context: Mapping[str, Any]) -> Mapping[str, str]:
    conf = run_conf(context)
    if conf is not None and CONF_KEY in conf:
        # Invalid conf raises: a CI run must not go on with production's connections.
        return parse_conf(conf[CONF_KEY]).connections
    production = registered_production(dag_id_of(context))
    return production.connections if production is not None else {}


def apply_connection_overrides(context: Mapping[str, Any]) -> None:
    """A pre-execute hook: override the running operator's connections for this run."""
    task = context["task"]
    for name, (declared, used) in override_connections(task, _connections(context)).items():
        log.info("dag_cicd: %s.%s: connection %s -> %s", task.task_id, name, declared, used)


def _chained(existing: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if existing is None:
        return apply_connection_overrides

    def hook(context: Any) -> None:
        # Overrides first, so the DAG's own hook sees the ids that will be used.
        apply_connection_overrides(context)
        existing(context)

    setattr(hook, _INSTALLED, True)
    return hook


def install_connection_overrides(task: Any) -> None:
    """Make :func:`apply_connection_overrides` run before ``task`` executes.

    Keeps any pre-execute hook the task already has (it runs after), and is
    idempotent. A mapped task gets it through its partial arguments.
    """
    partial_kwargs = getattr(task, "partial_kwargs", None)
    if isinstance(partial_kwargs, dict):
        existing = partial_kwargs.get("pre_execute")
        if existing is not apply_connection_overrides and not getattr(existing, _INSTALLED, False):
            partial_kwargs["pre_execute"] = _chained(existing)
        return
    existing = getattr(task, "_pre_execute_hook", None)
    if existing is apply_connection_overrides or getattr(existing, _INSTALLED, False):
        return
    task._pre_execute_hook = _chained(existing)
