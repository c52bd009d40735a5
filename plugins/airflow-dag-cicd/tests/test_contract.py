"""Tests of the run-time contract ``conf.dag_cicd``.

The valid/invalid vectors are shared with the TypeScript side
(plugins/dag-cicd-common), so both validators are held to the same cases.
"""

from __future__ import annotations

import copy
import importlib.metadata
import dataclasses
import json
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

import airflow_dag_cicd
from airflow_dag_cicd import (
    CONF_KEY,
    ContractError,
    DagCicdContext,
    Input,
    ProductionContext,
    context_from_run_conf,
    contract,
    load_schema,
    parse_conf,
    validate_conf,
)

PLUGINS_DIR = Path(__file__).resolve().parents[2]
COMMON_CONTRACT_DIR = PLUGINS_DIR / "dag-cicd-common/src/contract"
VECTORS_PATH = COMMON_CONTRACT_DIR / "dagCicdConf.vectors.json"
COMMON_SCHEMA_PATH = COMMON_CONTRACT_DIR / "dagCicdConf.schema.json"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src/airflow_dag_cicd"

VECTORS: dict[str, list[dict[str, Any]]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
VALID = VECTORS["valid"]
INVALID = VECTORS["invalid"]

COMMIT = "ab12cd3" + "0" * 33

PRODUCTION = ProductionContext(
    entity="component:default/orders",
    namespace="s3://lake/prod/orders/",
    inputs={"events": Input(uri="s3://lake/prod/events/", mode="read-only")},
    artifacts={"etl_jar": "s3://artifacts/etl/prod/etl.jar"},
    connections={},
)


def design_example() -> dict[str, Any]:
    """A fresh copy of the first valid vector (the design example)."""
    return copy.deepcopy(VALID[0]["conf"])


def violations_of(conf: object) -> tuple[str, ...]:
    with pytest.raises(ContractError) as excinfo:
        validate_conf(conf)
    return excinfo.value.violations


# --------------------------------------------------------------------------
# Shared vectors
# --------------------------------------------------------------------------


def test_vectors_are_not_empty() -> None:
    # An empty list would make the parametrised tests below pass vacuously.
    assert len(VALID) >= 1
    assert len(INVALID) >= 1
    assert VALID[0]["name"] == "design example"


@pytest.mark.parametrize("vector", VALID, ids=[v["name"] for v in VALID])
def test_valid_vector_validates_and_parses(vector: dict[str, Any]) -> None:
    conf = vector["conf"]
    validate_conf(conf)  # does not raise

    ctx = parse_conf(conf)

    assert isinstance(ctx, DagCicdContext)
    assert ctx.environment == conf["environment"]
    assert ctx.stage == conf["stage"]
    assert ctx.commit == conf["commit"]
    assert ctx.entity == conf["entity"]
    assert ctx.namespace == conf["namespace"]
    assert ctx.profile == conf["profile"]
    assert ctx.seed == conf.get("seed")
    assert ctx.is_production is (conf["stage"] == "production")
    assert dict(ctx.inputs) == {
        name: Input(uri=spec["uri"], mode=spec["mode"]) for name, spec in conf["inputs"].items()
    }
    assert dict(ctx.artifacts) == conf["artifacts"]
    assert dict(ctx.connections) == conf["connections"]


@pytest.mark.parametrize("vector", INVALID, ids=[v["name"] for v in INVALID])
def test_invalid_vector_raises_contract_error(vector: dict[str, Any]) -> None:
    with pytest.raises(ContractError) as excinfo:
        validate_conf(vector["conf"])
    error = excinfo.value
    assert isinstance(error, ValueError)
    assert error.violations, "a ContractError must name at least one violation"
    for violation in error.violations:
        assert violation.startswith(CONF_KEY)
        assert violation in str(error)

    with pytest.raises(ContractError):
        parse_conf(vector["conf"])


# --------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------


def test_error_message_names_the_field_path() -> None:
    conf = design_example()
    conf["commit"] = "ab12"

    assert violations_of(conf) == ("dag_cicd.commit: 'ab12' does not match '^[0-9a-f]{40}$'",)
    with pytest.raises(
        ContractError, match=r"dag_cicd\.commit: 'ab12' does not match '\^\[0-9a-f\]\{40\}\$'"
    ):
        parse_conf(conf)


def test_error_message_names_nested_paths() -> None:
    conf = design_example()
    conf["inputs"]["events"]["mode"] = "write"
    conf["artifacts"]["etl.jar"] = "etl.jar"

    assert violations_of(conf) == (
        'dag_cicd.artifacts["etl.jar"]: \'etl.jar\' does not match '
        "'^[a-z][a-z0-9+.-]*://[^\\\\s]+$'",
        "dag_cicd.inputs.events.mode: 'write' is not one of ['read-only', 'copy']",
    )


def test_missing_field_is_reported_on_its_parent() -> None:
    conf = design_example()
    del conf["namespace"]

    assert violations_of(conf) == ("dag_cicd: 'namespace' is a required property",)


def test_bad_key_is_reported_as_a_property_name() -> None:
    conf = design_example()
    conf["inputs"] = {"a/b": {"uri": "s3://lake/prod/events/", "mode": "read-only"}}

    (violation,) = violations_of(conf)
    assert violation.startswith("dag_cicd.inputs: property name 'a/b' does not match ")


def test_several_errors_are_reported_together_sorted_by_path() -> None:
    conf = design_example()
    conf["commit"] = "ab12"
    del conf["namespace"]
    conf["inputs"]["events"]["mode"] = "write"
    conf["seed"] = -1

    with pytest.raises(ContractError) as excinfo:
        validate_conf(conf)
    error = excinfo.value

    assert error.violations == (
        "dag_cicd: 'namespace' is a required property",
        "dag_cicd.commit: 'ab12' does not match '^[0-9a-f]{40}$'",
        "dag_cicd.inputs.events.mode: 'write' is not one of ['read-only', 'copy']",
        "dag_cicd.seed: -1 is less than the minimum of 0",
    )
    message = str(error)
    assert message.splitlines()[0] == (
        "invalid conf.dag_cicd: 4 violations of the DAG CI/CD run-time contract"
    )
    assert message.splitlines()[1:] == [f"  {v}" for v in error.violations]


@pytest.mark.parametrize("value", [None, [], "dag_cicd", 42])
def test_non_object_conf_is_rejected(value: object) -> None:
    assert violations_of(value) == (f"dag_cicd: {value!r} is not of type 'object'",)


# --------------------------------------------------------------------------
# Rules of the contract
# --------------------------------------------------------------------------


def test_seed_is_required_only_for_chaos() -> None:
    chaos = design_example()
    del chaos["seed"]
    assert violations_of(chaos) == ("dag_cicd: 'seed' is a required property",)

    sample = design_example()
    sample["profile"] = "sample"
    del sample["seed"]
    assert parse_conf(sample).seed is None

    seeded_sample = design_example()
    seeded_sample["profile"] = "sample"
    assert parse_conf(seeded_sample).seed == 42

    assert parse_conf(design_example()).seed == 42


def test_seed_must_be_a_real_integer() -> None:
    conf = design_example()
    conf["seed"] = True  # bool is an int in Python, not in JSON
    assert violations_of(conf) == ("dag_cicd.seed: True is not of type 'integer'",)

    conf["seed"] = 42.0  # JSON Schema counts 42.0 as an integer ...
    seed = parse_conf(conf).seed
    assert seed == 42 and type(seed) is int  # ... the context holds an int


def test_production_stage_in_conf_is_production() -> None:
    conf = design_example()
    conf["stage"] = "production"
    conf["environment"] = "production"

    ctx = parse_conf(conf)

    assert ctx.is_production is True
    assert parse_conf(design_example()).is_production is False


@pytest.mark.parametrize("field_name", ["environment", "commit", "namespace", "stage", "entity"])
def test_trailing_newline_is_rejected(field_name: str) -> None:
    # Python's `$` matches before a trailing newline; the schema's patterns are
    # ECMA-262 (as the backend's Ajv reads them), where `$` is the end of input.
    conf = design_example()
    conf[field_name] = conf[field_name] + "\n"

    (violation,) = violations_of(conf)
    assert violation.startswith(f"dag_cicd.{field_name}: ")
    assert "does not match" in violation


def test_ecma_white_space_is_not_allowed_in_uris() -> None:
    conf = design_example()
    # U+FEFF is white space in ECMA-262 (`\s`) but not in Python's `re`.
    conf["artifacts"]["etl_jar"] = "s3://artifacts/etl\ufeff.jar"

    (violation,) = violations_of(conf)
    assert violation.startswith("dag_cicd.artifacts.etl_jar: ")


@pytest.mark.parametrize(
    ("ecma", "python"),
    [
        ("^[0-9a-f]{40}$", r"^[0-9a-f]{40}\Z"),
        (r"^a\$b[$]$", r"^a\$b[$]\Z"),
        (r"^[^\s]+$", "^[^" + contract._ECMA_WHITESPACE + r"]+\Z"),
        (r"\d\w", "[0-9][A-Za-z0-9_]"),
        (r"\S", "[^" + contract._ECMA_WHITESPACE + "]"),
    ],
)
def test_patterns_are_read_as_ecma_262(ecma: str, python: str) -> None:
    assert contract._ecma_to_python(ecma) == python


# --------------------------------------------------------------------------
# The parsed context
# --------------------------------------------------------------------------


def test_parsed_mappings_are_immutable() -> None:
    ctx = parse_conf(design_example())

    for mapping in (ctx.inputs, ctx.artifacts, ctx.connections):
        assert isinstance(mapping, MappingProxyType)
    with pytest.raises(TypeError):
        ctx.inputs["other"] = Input(uri="s3://x/", mode="copy")  # type: ignore[index]
    with pytest.raises(TypeError):
        ctx.artifacts["etl_jar"] = "s3://elsewhere/etl.jar"  # type: ignore[index]
    with pytest.raises(TypeError):
        del ctx.connections["spark_default"]  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.namespace = "s3://lake/prod/"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.inputs["events"].uri = "s3://lake/elsewhere/"  # type: ignore[misc]


def test_parsed_context_does_not_share_the_conf_dicts() -> None:
    conf = design_example()
    ctx = parse_conf(conf)

    conf["artifacts"]["etl_jar"] = "s3://elsewhere/etl.jar"
    conf["connections"]["spark_default"] = "spark_prod"
    conf["inputs"].clear()

    assert ctx.artifacts["etl_jar"] == VALID[0]["conf"]["artifacts"]["etl_jar"]
    assert ctx.connections["spark_default"] == "spark_ci"
    assert set(ctx.inputs) == {"events"}


def test_contexts_compare_and_hash_by_value() -> None:
    a = parse_conf(design_example())
    b = parse_conf(design_example())

    assert a == b
    assert hash(a) == hash(b)
    assert a != dataclasses.replace(a, namespace="s3://lake/other/")


def test_input_mode_is_checked() -> None:
    assert Input(uri="s3://x/", mode="read-only").read_only is True
    assert Input(uri="s3://x/", mode="copy").read_only is False
    with pytest.raises(ValueError, match="Input.mode"):
        Input(uri="s3://x/", mode="write")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Resolving a run's context
# --------------------------------------------------------------------------


def assert_is_production(ctx: DagCicdContext) -> None:
    assert ctx.is_production is True
    assert ctx.stage == "production"
    assert ctx.environment == "production"
    assert ctx.profile == "production"
    assert ctx.commit is None
    assert ctx.seed is None
    assert ctx.entity == PRODUCTION.entity
    assert ctx.namespace == PRODUCTION.namespace
    assert dict(ctx.inputs) == {"events": Input(uri="s3://lake/prod/events/", mode="read-only")}
    assert dict(ctx.artifacts) == {"etl_jar": "s3://artifacts/etl/prod/etl.jar"}
    assert dict(ctx.connections) == {}
    assert isinstance(ctx.inputs, MappingProxyType)


@pytest.mark.parametrize("run_conf", [{}, {"other": "value"}, {"dag_cicd_": {}}])
def test_run_conf_without_dag_cicd_is_production(run_conf: dict[str, Any]) -> None:
    assert_is_production(context_from_run_conf(run_conf, PRODUCTION))


def test_no_run_conf_is_production() -> None:
    assert_is_production(context_from_run_conf(None, PRODUCTION))


def test_production_commit_can_be_given() -> None:
    production = dataclasses.replace(PRODUCTION, commit=COMMIT)

    ctx = context_from_run_conf(None, production)

    assert ctx.commit == COMMIT
    assert ctx.is_production is True


def test_run_conf_with_dag_cicd_is_parsed() -> None:
    conf = design_example()

    ctx = context_from_run_conf({CONF_KEY: conf, "other": 1}, PRODUCTION)

    assert ctx == parse_conf(conf)
    assert ctx.is_production is False
    assert ctx.namespace == "s3://lake/dag-cicd/default/orders/ci_ab12cd3/"


@pytest.mark.parametrize(
    "dag_cicd",
    [None, {}, "ci_ab12cd3", *(v["conf"] for v in INVALID)],
    ids=["null", "empty", "string", *(v["name"] for v in INVALID)],
)
def test_invalid_dag_cicd_never_falls_back_to_production(dag_cicd: object) -> None:
    with pytest.raises(ContractError):
        context_from_run_conf({CONF_KEY: dag_cicd}, PRODUCTION)


def test_run_conf_must_be_a_mapping() -> None:
    # A string containing "dag_cicd" must not be mistaken for a conf.
    with pytest.raises(TypeError, match="run_conf must be a mapping"):
        context_from_run_conf("dag_cicd", PRODUCTION)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# The packaged schema
# --------------------------------------------------------------------------


def test_packaged_schema_is_the_common_schema() -> None:
    packaged = files("airflow_dag_cicd") / "schema" / "dag_cicd_conf.schema.json"

    assert packaged.read_bytes() == COMMON_SCHEMA_PATH.read_bytes()
    assert load_schema() == json.loads(COMMON_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert load_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_packaged_schema_is_a_relative_symlink_in_the_source_tree() -> None:
    link = PACKAGE_DIR / "schema" / "dag_cicd_conf.schema.json"

    assert link.is_symlink(), "the schema must be linked, never copied"
    target = link.readlink()
    assert not target.is_absolute()
    assert target == Path("../../../../dag-cicd-common/src/contract/dagCicdConf.schema.json")
    assert link.resolve() == COMMON_SCHEMA_PATH


def test_validator_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real_load_schema = contract.load_schema

    def counting_load_schema() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        return real_load_schema()

    monkeypatch.setattr(contract, "load_schema", counting_load_schema)
    contract._validator.cache_clear()
    try:
        for vector in VALID:
            validate_conf(vector["conf"])
        with pytest.raises(ContractError):
            validate_conf({})
        assert calls == 1
        assert contract._validator() is contract._validator()
    finally:
        contract._validator.cache_clear()


def test_public_api() -> None:
    assert airflow_dag_cicd.CONF_KEY == "dag_cicd"
    assert airflow_dag_cicd.__version__ == importlib.metadata.version("airflow-dag-cicd")
    for name in airflow_dag_cicd.__all__:
        assert hasattr(airflow_dag_cicd, name), name
