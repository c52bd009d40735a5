"""The run-time contract ``conf.dag_cicd``.

Every DAG run the DAG CI/CD backend starts carries ``dag_run.conf["dag_cicd"]``:
the environment the run belongs to (its data namespace, where to read its
inputs, which artifacts and connections to use). Runs without it -- production's
own schedule -- resolve to the production context the DAG declares.

The contract is defined once, by the JSON Schema in
``plugins/dag-cicd-common/src/contract/dagCicdConf.schema.json``. This package
ships that very file (through a symlink, never a copy) and validates against it
here, so the backend that writes the conf and the DAG that reads it cannot
drift apart.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Literal, cast

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator

__all__ = [
    "CONF_KEY",
    "PRODUCTION",
    "ContractError",
    "DagCicdContext",
    "Input",
    "InputMode",
    "ProductionContext",
    "context_from_run_conf",
    "load_schema",
    "parse_conf",
    "validate_conf",
]

#: The key of ``dag_run.conf`` that holds the contract.
CONF_KEY = "dag_cicd"

#: Stage, environment and profile of the production context.
PRODUCTION = "production"

InputMode = Literal["read-only", "copy"]
_INPUT_MODES: frozenset[str] = frozenset(("read-only", "copy"))

_SCHEMA_PACKAGE = "airflow_dag_cicd"
_SCHEMA_DIR = "schema"
_SCHEMA_FILE = "dag_cicd_conf.schema.json"


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------


def _freeze(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy: later changes to ``mapping`` do not leak in."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Input:
    """A named input of the run and where to read it.

    ``mode`` is ``"read-only"`` when the data lives outside the run's namespace
    (production, or an earlier environment) and must never be written, and
    ``"copy"`` when it was copied into the namespace.
    """

    uri: str
    mode: InputMode

    def __post_init__(self) -> None:
        if self.mode not in _INPUT_MODES:
            raise ValueError(
                f"Input.mode must be one of {sorted(_INPUT_MODES)}, got {self.mode!r}"
            )

    @property
    def read_only(self) -> bool:
        return self.mode == "read-only"


@dataclass(frozen=True)
class DagCicdContext:
    """The environment a DAG run belongs to, read from ``conf.dag_cicd``.

    The mappings are read-only (:class:`types.MappingProxyType`) copies.
    """

    environment: str
    stage: str
    #: The full git SHA; ``None`` for a production run whose commit is unknown.
    commit: str | None
    entity: str
    namespace: str
    # The mappings are left out of the hash (they are not hashable); equal
    # contexts still hash equal, since they share the scalar fields.
    inputs: Mapping[str, Input] = field(default_factory=dict, hash=False)
    artifacts: Mapping[str, str] = field(default_factory=dict, hash=False)
    connections: Mapping[str, str] = field(default_factory=dict, hash=False)
    profile: str = PRODUCTION
    seed: int | None = None
    is_production: bool = False

    def __post_init__(self) -> None:
        # Frozen dataclass: assign through object.__setattr__.
        for name in ("inputs", "artifacts", "connections"):
            object.__setattr__(self, name, _freeze(getattr(self, name)))


@dataclass(frozen=True)
class ProductionContext:
    """What a DAG declares about production, used for runs without ``conf.dag_cicd``.

    ``commit`` is optional: production's own schedule does not know which
    commit deployed the DAG unless the deployment says so.
    """

    entity: str
    namespace: str
    inputs: Mapping[str, Input] = field(default_factory=dict, hash=False)
    artifacts: Mapping[str, str] = field(default_factory=dict, hash=False)
    connections: Mapping[str, str] = field(default_factory=dict, hash=False)
    commit: str | None = None

    def __post_init__(self) -> None:
        for name in ("inputs", "artifacts", "connections"):
            object.__setattr__(self, name, _freeze(getattr(self, name)))

    def to_context(self) -> DagCicdContext:
        return DagCicdContext(
            environment=PRODUCTION,
            stage=PRODUCTION,
            commit=self.commit,
            entity=self.entity,
            namespace=self.namespace,
            inputs=self.inputs,
            artifacts=self.artifacts,
            connections=self.connections,
            profile=PRODUCTION,
            seed=None,
            is_production=True,
        )


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class ContractError(ValueError):
    """``conf.dag_cicd`` does not satisfy the contract.

    The message lists every violation, one per line, each prefixed with the
    JSON path of the offending value, e.g.
    ``dag_cicd.commit: 'ab12' does not match '^[0-9a-f]{40}$'``.
    The same lines are available as :attr:`violations`.
    """

    def __init__(self, violations: Iterable[str]) -> None:
        # One fact can break several keywords at once (a bad seed fails both
        # `properties` and the chaos `then` branch): report it once.
        self.violations: tuple[str, ...] = tuple(dict.fromkeys(violations))
        count = len(self.violations)
        header = (
            f"invalid conf.{CONF_KEY}: {count} violation{'s' if count != 1 else ''} "
            f"of the DAG CI/CD run-time contract"
        )
        super().__init__("\n".join([header, *(f"  {v}" for v in self.violations)]))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _json_path(path: Iterable[str | int]) -> str:
    """``["inputs", "events", "mode"]`` -> ``dag_cicd.inputs.events.mode``.

    Keys that are not plain identifiers (``etl.jar``, ``a/b``) are bracketed so
    the path stays unambiguous: ``dag_cicd.artifacts["etl.jar"]``.
    """
    out = CONF_KEY
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


def _path_sort_key(error: ValidationError) -> tuple[Any, ...]:
    # Paths mix str keys and int indices; tag them so they compare.
    return (
        tuple((1, p) if isinstance(p, int) else (0, p) for p in error.absolute_path),
        error.message,
    )


def _describe(error: ValidationError) -> str:
    message = error.message
    # A bad key (propertyNames) is reported on the object holding it.
    if "propertyNames" in error.relative_schema_path:
        message = f"property name {message}"
    return f"{_json_path(error.absolute_path)}: {message}"


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------
#
# The schema is also enforced by the backend with Ajv, i.e. with ECMA-262
# regular expressions. Python's `re` reads some patterns differently, and
# jsonschema's stock `pattern` keyword uses `re.search` as is. The difference
# that matters: in Python `$` also matches *before a trailing newline*, so
# `"ci_ab12cd3\n"` would pass `^[a-z][a-z0-9_-]{0,62}$` here but fail in the
# backend. Patterns are therefore translated to their ECMA-262 meaning first:
# `$` -> `\Z` (end of input only), `\s` -> ECMA-262's white-space set, and
# `\d`/`\w` -> their ASCII sets.

_ECMA_WHITESPACE = (
    r"\t\n\x0b\x0c\r\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_ECMA_CLASSES = {"s": _ECMA_WHITESPACE, "d": "0-9", "w": "A-Za-z0-9_"}


def _ecma_to_python(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            i += 2
            if escaped in _ECMA_CLASSES:
                members = _ECMA_CLASSES[escaped]
                out.append(members if in_class else f"[{members}]")
            elif escaped.lower() in _ECMA_CLASSES:  # \S, \D, \W
                if in_class:
                    raise ValueError(
                        f"unsupported pattern {pattern!r}: \\{escaped} inside a character class"
                    )
                out.append(f"[^{_ECMA_CLASSES[escaped.lower()]}]")
            else:
                out.append(char + escaped)
            continue
        if in_class:
            if char == "]":
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            # `[]` and `[^]` mean different things in ECMA-262 and Python.
            rest = pattern[i + 1 :]
            if rest.startswith("]") or rest.startswith("^]"):
                raise ValueError(f"unsupported pattern {pattern!r}: empty character class")
        elif char == "$":
            out.append(r"\Z")
        else:
            out.append(char)
        i += 1
    return "".join(out)


@functools.cache
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(_ecma_to_python(pattern))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _compile(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, pattern_properties: Mapping[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pattern_properties.items():
        for key, value in instance.items():
            if _compile(pattern).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


_ContractValidator = validators.extend(
    Draft202012Validator,
    {"pattern": _pattern, "patternProperties": _pattern_properties},
)


def load_schema() -> dict[str, Any]:
    """The contract's JSON Schema, as shipped inside this package."""
    resource = files(_SCHEMA_PACKAGE) / _SCHEMA_DIR / _SCHEMA_FILE
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


@functools.lru_cache(maxsize=1)
def _validator() -> Validator:
    """Built once, on first use, and shared by every call."""
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return _ContractValidator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_conf(value: object) -> None:
    """Raise :class:`ContractError` unless ``value`` is a valid ``conf.dag_cicd``.

    Every violation is reported, not just the first.
    """
    errors = sorted(_validator().iter_errors(value), key=_path_sort_key)
    if errors:
        raise ContractError(_describe(e) for e in errors)


def parse_conf(value: object) -> DagCicdContext:
    """Validate ``conf.dag_cicd`` and return the context it describes."""
    validate_conf(value)
    conf = cast("Mapping[str, Any]", value)  # an object: the schema says so
    seed = conf.get("seed")
    return DagCicdContext(
        environment=conf["environment"],
        stage=conf["stage"],
        commit=conf["commit"],
        entity=conf["entity"],
        namespace=conf["namespace"],
        inputs={
            name: Input(uri=spec["uri"], mode=spec["mode"])
            for name, spec in conf["inputs"].items()
        },
        artifacts=conf["artifacts"],
        connections=conf["connections"],
        profile=conf["profile"],
        # JSON Schema counts 42.0 as an integer; hand the DAG a real int.
        seed=None if seed is None else int(seed),
        is_production=conf["stage"] == PRODUCTION,
    )


def context_from_run_conf(
    run_conf: Mapping[str, Any] | None, production: ProductionContext
) -> DagCicdContext:
    """Resolve the context of a DAG run from its ``dag_run.conf``.

    * no conf, or a conf without a ``dag_cicd`` key: the run was not started by
      DAG CI/CD (production's own schedule, or a manual trigger), so it gets
      the production context built from ``production``;
    * a ``dag_cicd`` key: it is validated and parsed; if it is invalid,
      :class:`ContractError` is raised.
    """
    if run_conf is None:
        return production.to_context()
    if not isinstance(run_conf, Mapping):
        raise TypeError(f"run_conf must be a mapping or None, got {type(run_conf).__name__}")
    if CONF_KEY not in run_conf:
        return production.to_context()
    # The key is present, so DAG CI/CD started this run for some environment.
    # Never fall back to production when its value is broken (null, missing
    # fields, a malformed namespace, ...): the run would then read and write
    # production's paths and connections while the person who started it
    # believes it is an isolated CI run. Failing loudly is the only safe answer.
    return parse_conf(run_conf[CONF_KEY])
