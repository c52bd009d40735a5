"""Production's context: declared by the DAG, rooted by the deployment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_dag_cicd import production
from airflow_dag_cicd.contract import Input, ProductionContext
from airflow_dag_cicd.production import (
    ConfigurationError,
    production_context,
    production_root,
    register_production,
)

ORDERS = ProductionContext(
    entity="component:default/orders",
    namespace="lake/orders/",
    inputs={"raw": Input(uri="lake/raw/orders/", mode="read-only")},
    artifacts={"etl_jar": "s3://artifacts/orders/production/etl.jar"},
    connections={"spark_default": "spark_prod"},
)


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(production, "_REGISTRY", {})
    monkeypatch.delenv(production.PRODUCTION_ROOT_ENV, raising=False)
    # No Airflow Variable either.
    monkeypatch.setattr("airflow_dag_cicd._compat.variable", lambda key: None)
    yield


def test_resolves_relative_keys_against_the_production_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DAG_CICD_PRODUCTION_ROOT", "s3://lake-prod/")
    register_production("orders", ORDERS)
    ctx = production_context("orders")
    assert ctx.is_production and ctx.stage == ctx.environment == "production"
    assert ctx.namespace == "s3://lake-prod/lake/orders/"
    assert ctx.inputs["raw"] == Input(uri="s3://lake-prod/lake/raw/orders/", mode="read-only")
    assert ctx.artifacts["etl_jar"] == "s3://artifacts/orders/production/etl.jar"
    assert ctx.connections == {"spark_default": "spark_prod"}


def test_reads_the_root_from_an_airflow_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("airflow_dag_cicd._compat.variable", lambda key: "file:///srv/lake/")
    assert production_root() == "file:///srv/lake/"


def test_full_uris_need_no_root() -> None:
    register_production(
        "abs", ProductionContext(entity="component:default/a", namespace="s3://lake/a/")
    )
    assert production_context("abs").namespace == "s3://lake/a/"


def test_an_undeclared_dag_is_an_error_naming_the_fix() -> None:
    with pytest.raises(ConfigurationError, match=r"register_production\('nope'"):
        production_context("nope")


def test_relative_keys_without_a_root_are_an_error_naming_the_setting() -> None:
    register_production("orders", ORDERS)
    with pytest.raises(ConfigurationError, match="set DAG_CICD_PRODUCTION_ROOT"):
        production_context("orders")


@pytest.mark.parametrize("root", ["s3://lake", "s3://lake/../", "lake/", "file:///srv/%2e%2e/"])
def test_a_root_that_is_not_a_normalised_prefix_is_refused(
    monkeypatch: pytest.MonkeyPatch, root: str
) -> None:
    monkeypatch.setenv("DAG_CICD_PRODUCTION_ROOT", root)
    with pytest.raises(ConfigurationError, match="not a normalised URI prefix"):
        production_root()


def test_a_key_that_climbs_out_of_the_root_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAG_CICD_PRODUCTION_ROOT", "s3://lake/")
    register_production("x", ProductionContext(entity="component:default/x", namespace="../other/"))
    with pytest.raises(ConfigurationError, match="namespace"):
        production_context("x")


def test_registration_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="dag_id"):
        register_production("a b", ORDERS)
    with pytest.raises(TypeError, match="ProductionContext"):
        register_production("a", {"namespace": "x/"})  # type: ignore[arg-type]
