"""``@dag_cicd_task``: a TaskFlow task with declared inputs and outputs.

Before the function runs, every declared input is checked (it exists, holds
at least one row, and every CSV / JSON Lines object has the expected
columns). The function gets a :class:`TaskIO` as its first argument: it reads
inputs and opens outputs through it, every write going through the run's
isolation guard. After it returns, every declared output must have been
written; their manifests are stored at
``<namespace>_manifests/<run id>/<task id>.json`` and pushed to XCom under
``dag_cicd_manifest``. The function's own return value is the task's
``return_value`` XCom, as usual.

.. code-block:: python

    @dag_cicd_task(
        inputs={"orders": {"columns": ["order_id", "amount"]}},
        outputs=["orders/part-0.csv"],
    )
    def clean(io: TaskIO) -> None:
        with io.open_output("orders/part-0.csv", "w") as out:
            for row in io.rows("orders"):
                ...
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import IO, Any, TypedDict, cast

from airflow_dag_cicd.contract import DagCicdContext
from airflow_dag_cicd.guard import IsolationGuard
from airflow_dag_cicd.manifest import (
    MANIFEST_XCOM_KEY,
    MANIFESTS_FOLDER,
    ManifestBuilder,
    MeasuredStream,
    dumps,
    manifest_uri,
)
from airflow_dag_cicd.records import Row, columns_of, format_of, read_rows
from airflow_dag_cicd.runtime import input_uri, production_prefix, resolve_context
from airflow_dag_cicd.storage import StoredObject, storage_for
from airflow_dag_cicd.uris import InvalidPathError, resolve_within

__all__ = ["InputCheckError", "InputSpec", "TaskIO", "dag_cicd_task"]


class InputSpec(TypedDict, total=False):
    #: Columns every CSV / JSON Lines object of the input must have (others may follow).
    columns: Sequence[str]


class InputCheckError(ValueError):
    """A declared input is missing, empty or lacks expected columns."""


# Any valid prefix: outputs are checked as keys before a run's namespace is known.
_ANY_PREFIX = "file:///dag-cicd/"


def _check_outputs(outputs: Sequence[str]) -> tuple[str, ...]:
    if isinstance(outputs, str):
        raise TypeError("outputs must be a list of keys, not one string")
    for key in outputs:
        try:
            resolve_within(_ANY_PREFIX, key)
        except InvalidPathError as error:
            raise ValueError(f"output {key!r}: {error}") from None
        if key.endswith("/"):
            raise ValueError(f"output {key!r} must name an object, not a folder")
        if key.split("/", 1)[0] == MANIFESTS_FOLDER:
            raise ValueError(f"output {key!r}: {MANIFESTS_FOLDER}/ is kept for manifests")
    if len(set(outputs)) != len(outputs):
        raise ValueError(f"outputs are declared twice: {list(outputs)}")
    return tuple(outputs)


class TaskIO:
    """What a ``@dag_cicd_task`` function reads and writes, for one task instance."""

    def __init__(
        self,
        context: DagCicdContext,
        guard: IsolationGuard,
        *,
        dag_id: str,
        run_id: str,
        task_id: str,
        map_index: int = -1,
        inputs: Mapping[str, InputSpec] | None = None,
        outputs: Sequence[str] = (),
    ) -> None:
        self.context = context
        self.guard = guard
        self.dag_id = dag_id
        self.run_id = run_id
        self.task_id = task_id
        self.map_index = map_index
        self.inputs: Mapping[str, InputSpec] = dict(inputs or {})
        self.outputs = _check_outputs(outputs)
        self._written: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_airflow_context(
        cls,
        airflow_context: Mapping[str, Any],
        inputs: Mapping[str, InputSpec] | None = None,
        outputs: Sequence[str] = (),
    ) -> TaskIO:
        resolved = resolve_context(airflow_context)
        ti = airflow_context["ti"]
        map_index = getattr(ti, "map_index", -1)
        return cls(
            resolved,
            IsolationGuard(resolved.namespace, production_prefix(airflow_context, resolved)),
            dag_id=ti.dag_id,
            run_id=ti.run_id,
            task_id=ti.task_id,
            map_index=-1 if map_index is None else map_index,
            inputs=inputs,
            outputs=outputs,
        )

    # -- inputs ------------------------------------------------------------

    def input_uri(self, name: str) -> str:
        return input_uri(self.context, name)

    def objects(self, name: str) -> list[StoredObject]:
        """Every object of input ``name`` (all of them under its prefix), in URI order."""
        uri = self.input_uri(name)
        return list(storage_for(uri).list(uri))

    def rows(self, name: str) -> Iterator[Row]:
        """The rows of every CSV / JSON Lines object of input ``name``, in URI order."""
        for item in self.objects(name):
            if format_of(item.uri) is None:
                continue
            with storage_for(item.uri).open_read(item.uri) as stream:
                yield from read_rows(stream, item.uri)

    def check_inputs(self) -> None:
        """Raise :class:`InputCheckError` listing every problem of every declared input."""
        problems: list[str] = []
        for name, spec in self.inputs.items():
            problems.extend(self._input_problems(name, spec))
        if problems:
            raise InputCheckError(
                f"task {self.task_id!r} cannot run on these inputs:\n"
                + "\n".join(f"  {p}" for p in problems)
            )

    def _input_problems(self, name: str, spec: InputSpec) -> list[str]:
        try:
            uri = self.input_uri(name)
        except LookupError as error:
            return [str(error)]
        objects = self.objects(name)
        if not objects:
            return [f"input {name!r}: nothing at {uri}"]
        expected = list(spec.get("columns", ()))
        problems: list[str] = []
        data = [o for o in objects if format_of(o.uri) is not None]
        has_rows = False
        for item in data:
            with storage_for(item.uri).open_read(item.uri) as stream:
                columns = columns_of(stream, item.uri)
            if columns is None:
                continue  # an empty object: no columns to check
            missing = [c for c in expected if c not in columns]
            if missing:
                problems.append(
                    f"input {name!r}: {item.uri} lacks column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)} (has {', '.join(columns)})"
                )
            if not has_rows:
                with storage_for(item.uri).open_read(item.uri) as stream:
                    has_rows = next(read_rows(stream, item.uri), None) is not None
        if data and not has_rows:
            problems.append(f"input {name!r}: no rows in any of its {len(data)} objects at {uri}")
        if not data and sum(o.size for o in objects) == 0:
            problems.append(f"input {name!r}: every object at {uri} is empty")
        if expected and not data:
            problems.append(
                f"input {name!r}: no CSV or JSON Lines object at {uri} to check columns"
            )
        return problems

    # -- outputs -----------------------------------------------------------

    def output_uri(self, key: str) -> str:
        if key not in self.outputs:
            raise ValueError(
                f"output {key!r} is not declared by task {self.task_id!r}; declared: "
                f"{', '.join(self.outputs) or 'none'}"
            )
        return resolve_within(self.context.namespace, key)

    @contextlib.contextmanager
    def open_output(self, key: str, mode: str = "wb", encoding: str = "utf-8") -> Iterator[IO[Any]]:
        """Open declared output ``key`` (relative to the namespace) through the guard.

        ``mode`` is ``"wb"`` or ``"w"`` (text, ``newline=""``). The output's
        manifest entry is measured from the bytes written.
        """
        if mode not in ("wb", "w"):
            raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}")
        uri = self.guard.assert_writable(self.output_uri(key))
        builder = ManifestBuilder(uri)
        with self.guard.open(uri, "wb") as raw:
            measured = cast("IO[bytes]", MeasuredStream(raw, builder))
            if mode == "wb":
                yield measured
            else:
                text = io.TextIOWrapper(measured, encoding=encoding, newline="")
                try:
                    yield text
                    text.flush()
                finally:
                    text.detach()
        self._written[key] = builder.result()

    def manifest(self) -> dict[str, Any]:
        """The task's manifest: who wrote what. Raises if a declared output was not written."""
        missing = [key for key in self.outputs if key not in self._written]
        if missing:
            raise RuntimeError(
                f"task {self.task_id!r} did not write its declared output"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
            )
        ctx = self.context
        return {
            "version": 1,
            "dag_id": self.dag_id,
            "run_id": self.run_id,
            "task_id": self.task_id,
            "map_index": self.map_index,
            "environment": ctx.environment,
            "stage": ctx.stage,
            "commit": ctx.commit,
            "namespace": ctx.namespace,
            "created_at": datetime.now(timezone.utc).isoformat(),
            "outputs": [self._written[key] for key in self.outputs],
        }

    def write_manifest(self) -> dict[str, Any]:
        """Store the manifest under ``_manifests/`` (through the guard) and return it."""
        manifest = self.manifest()
        uri = manifest_uri(self.context.namespace, self.run_id, self.task_id, self.map_index)
        with self.guard.open(uri, "wb") as stream:
            stream.write(dumps(manifest))
        return manifest


def dag_cicd_task(
    python_callable: Callable[..., Any] | None = None,
    *,
    inputs: Mapping[str, InputSpec] | None = None,
    outputs: Sequence[str] = (),
    **task_kwargs: Any,
) -> Any:
    """A TaskFlow ``@task`` whose function gets a :class:`TaskIO` first.

    ``inputs`` maps input names (keys of ``conf.dag_cicd.inputs``, or of the
    production context) to what to check; ``outputs`` lists the object keys,
    relative to the namespace, the task writes. Other keyword arguments go to
    ``@task`` (``task_id``, ``retries``...).
    """
    declared_outputs = _check_outputs(outputs)
    declared_inputs = dict(inputs or {})

    def decorate(function: Callable[..., Any]) -> Any:
        from airflow_dag_cicd._compat import get_current_context, task

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            context = get_current_context()
            task_io = TaskIO.from_airflow_context(context, declared_inputs, declared_outputs)
            task_io.check_inputs()
            result = function(task_io, *args, **kwargs)
            manifest = task_io.write_manifest()
            context["ti"].xcom_push(key=MANIFEST_XCOM_KEY, value=manifest)
            return result

        # Airflow reads the signature to pass context values and check the
        # call's arguments: show it the function's own, without the TaskIO.
        signature = inspect.signature(function)
        parameters = list(signature.parameters.values())
        if not parameters:
            raise TypeError(f"{function.__name__} must take the TaskIO as its first parameter")
        run.__signature__ = signature.replace(parameters=parameters[1:])  # type: ignore[attr-defined]
        return task(**task_kwargs)(run)

    return decorate(python_callable) if python_callable is not None else decorate
