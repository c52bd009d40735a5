"""Production's own context, for runs that carry no ``conf.dag_cicd``.

Production's schedule starts runs without ``dag_cicd``; they must read and
write what production reads and writes. Two parts make that context:

- **what** a DAG reads and writes, relative to the lake: declared in the DAG
  file with :func:`register_production` (it is part of the DAG's code, the
  same in every stage);
- **where** the lake is: the production root of the Airflow deployment, from
  the environment variable ``DAG_CICD_PRODUCTION_ROOT`` or else the Airflow
  Variable ``dag_cicd_production_root`` (e.g. ``s3://lake/`` in production,
  ``file:///srv/lake/`` on a laptop). Keys without a scheme are resolved
  against it; full URIs are taken as they are.

The production prefix also feeds the isolation guard of every other run: a CI
run may never write under it. Nothing falls back to a default: a missing
declaration or root is a :class:`ConfigurationError` naming what to set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from airflow_dag_cicd.contract import DagCicdContext, Input, ProductionContext
from airflow_dag_cicd.uris import InvalidPathError, is_normalised, is_prefix, resolve_within

__all__ = [
    "PRODUCTION_ROOT_ENV",
    "PRODUCTION_ROOT_VARIABLE",
    "ConfigurationError",
    "production_context",
    "production_root",
    "register_production",
    "registered_production",
]

PRODUCTION_ROOT_ENV = "DAG_CICD_PRODUCTION_ROOT"
PRODUCTION_ROOT_VARIABLE = "dag_cicd_production_root"

_DAG_ID = re.compile(r"[A-Za-z0-9_.-]{1,250}\Z")
_REGISTRY: dict[str, ProductionContext] = {}


class ConfigurationError(RuntimeError):
    """Production is not configured well enough to resolve a path safely."""


def register_production(dag_id: str, production: ProductionContext) -> ProductionContext:
    """Declare the production context of ``dag_id``; returns ``production``.

    Call it at the top level of the DAG file, so that every process that parses
    the file (scheduler, worker, ``dag.test()``) knows it. ``namespace``, input
    URIs and artifacts may be keys relative to the production root
    (``lake/orders_daily/``) or full URIs.
    """
    if not isinstance(dag_id, str) or not _DAG_ID.match(dag_id):
        raise ValueError(f"dag_id must be an Airflow DAG id, got {dag_id!r}")
    if not isinstance(production, ProductionContext):
        raise TypeError(f"production must be a ProductionContext, got {type(production).__name__}")
    _REGISTRY[dag_id] = production
    return production


def registered_production(dag_id: str) -> ProductionContext | None:
    return _REGISTRY.get(dag_id)


def _check_root(root: str, source: str) -> str:
    if not is_prefix(root):
        raise ConfigurationError(
            f"{source} {root!r} is not a normalised URI prefix such as s3://lake/ or "
            'file:///srv/lake/ (it must end in "/" and hold no ".", "..", "%", "\\", "?" or "#")'
        )
    return root


def production_root() -> str | None:
    """The production root: ``$DAG_CICD_PRODUCTION_ROOT``, else the Airflow Variable, else None."""
    from_env = os.environ.get(PRODUCTION_ROOT_ENV)
    if from_env:
        return _check_root(from_env, PRODUCTION_ROOT_ENV)
    try:
        from airflow_dag_cicd._compat import variable
    except ImportError:  # Airflow is not installed: the environment is the only source.
        return None
    from_variable = variable(PRODUCTION_ROOT_VARIABLE)
    if from_variable:
        return _check_root(str(from_variable), f"Airflow Variable {PRODUCTION_ROOT_VARIABLE}")
    return None


def production_context(dag_id: str) -> DagCicdContext:
    """The context of a production run of ``dag_id``, with every URI absolute.

    :raises ConfigurationError: when the DAG declared no production context,
        or uses relative keys while no production root is configured
    """
    production = _REGISTRY.get(dag_id)
    if production is None:
        raise ConfigurationError(
            f"DAG {dag_id!r} declares no production context, so a run without conf.dag_cicd "
            f"cannot be resolved: call airflow_dag_cicd.register_production({dag_id!r}, "
            "ProductionContext(...)) in its DAG file"
        )
    root: list[str] = []  # looked up once, and only if a key is relative

    def absolute(field: str, value: str) -> str:
        if "://" in value:
            if not is_normalised(value):
                raise ConfigurationError(
                    f"production {field} of DAG {dag_id!r}: {value!r} is not a normalised URI"
                )
            return value
        if not root:
            found = production_root()
            if found is None:
                raise ConfigurationError(
                    f"production {field} of DAG {dag_id!r} is the relative key {value!r}: set "
                    f"{PRODUCTION_ROOT_ENV} (or the Airflow Variable {PRODUCTION_ROOT_VARIABLE}) "
                    "to the production root, e.g. s3://lake/"
                )
            root.append(found)
        try:
            return resolve_within(root[0], value)
        except InvalidPathError as error:
            raise ConfigurationError(f"production {field} of DAG {dag_id!r}: {error}") from None

    namespace = absolute("namespace", production.namespace)
    if not namespace.endswith("/"):
        raise ConfigurationError(
            f"production namespace of DAG {dag_id!r} must end with '/', got {namespace!r}"
        )
    inputs: Mapping[str, Input] = {
        name: Input(uri=absolute(f"input {name!r}", spec.uri), mode=spec.mode)
        for name, spec in production.inputs.items()
    }
    artifacts = {
        name: absolute(f"artifact {name!r}", uri) for name, uri in production.artifacts.items()
    }
    return ProductionContext(
        entity=production.entity,
        namespace=namespace,
        inputs=inputs,
        artifacts=artifacts,
        connections=production.connections,
        commit=production.commit,
    ).to_context()
