"""Connection overrides on the operator about to execute."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import design_conf

from airflow_dag_cicd import production
from airflow_dag_cicd.connections import (
    apply_connection_overrides,
    install_connection_overrides,
    override_connections,
)
from airflow_dag_cicd.contract import ContractError, ProductionContext


class Operator:
    def __init__(self, **attributes: Any) -> None:
        self.task_id = "t"
        self.__dict__.update(attributes)


class Run:
    def __init__(self, conf: dict[str, Any] | None) -> None:
        self.conf = conf


class Dag:
    dag_id = "orders"


def context(task: Operator, conf: dict[str, Any] | None) -> dict[str, Any]:
    return {"task": task, "dag_run": Run(conf), "dag": Dag()}


def test_rewrites_every_conn_id_attribute_holding_a_declared_id() -> None:
    task = Operator(
        conn_id="spark_default",
        _conn_id="spark_default",
        aws_conn_id="aws_default",
        postgres_conn_id="other",
        conn_ids=["spark_default"],
        spark_conn=None,
    )
    changed = override_connections(task, {"spark_default": "spark_ci", "aws_default": "aws_ci"})
    assert changed == {
        "conn_id": ("spark_default", "spark_ci"),
        "_conn_id": ("spark_default", "spark_ci"),
        "aws_conn_id": ("aws_default", "aws_ci"),
    }
    assert (task.conn_id, task._conn_id, task.aws_conn_id, task.postgres_conn_id) == (
        "spark_ci",
        "spark_ci",
        "aws_ci",
        "other",
    )


def test_the_hook_reads_the_run_conf() -> None:
    task = Operator(conn_id="spark_default")
    conf = design_conf()
    conf["connections"] = {"spark_default": "spark_ci"}
    apply_connection_overrides(context(task, {"dag_cicd": conf}))
    assert task.conn_id == "spark_ci"


def test_an_invalid_conf_fails_the_task_rather_than_run_with_production_connections() -> None:
    task = Operator(conn_id="spark_default")
    with pytest.raises(ContractError):
        apply_connection_overrides(context(task, {"dag_cicd": {"stage": "ci"}}))
    assert task.conn_id == "spark_default"


def test_a_production_run_uses_the_declared_production_connections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(production, "_REGISTRY", {})
    task = Operator(conn_id="spark_default")
    apply_connection_overrides(context(task, None))  # nothing declared: unchanged
    assert task.conn_id == "spark_default"
    production.register_production(
        "orders",
        ProductionContext(
            entity="component:default/orders",
            namespace="s3://l/",
            connections={"spark_default": "spark_prod"},
        ),
    )
    apply_connection_overrides(context(task, {"other": 1}))
    assert task.conn_id == "spark_prod"


def test_install_keeps_the_tasks_own_hook_and_is_idempotent() -> None:
    calls: list[str] = []
    task = Operator(
        conn_id="spark_default", _pre_execute_hook=lambda ctx: calls.append(ctx["task"].conn_id)
    )
    install_connection_overrides(task)
    hook = task._pre_execute_hook
    install_connection_overrides(task)
    assert task._pre_execute_hook is hook
    conf = design_conf()
    conf["connections"] = {"spark_default": "spark_ci"}
    hook(context(task, {"dag_cicd": conf}))
    assert calls == ["spark_ci"]  # the task's hook ran after the override


def test_install_on_a_task_without_a_hook_and_on_a_mapped_task() -> None:
    task = Operator(_pre_execute_hook=None)
    install_connection_overrides(task)
    assert task._pre_execute_hook is apply_connection_overrides
    mapped = Operator(partial_kwargs={"pre_execute": None})
    install_connection_overrides(mapped)
    install_connection_overrides(mapped)
    assert mapped.partial_kwargs["pre_execute"] is apply_connection_overrides
