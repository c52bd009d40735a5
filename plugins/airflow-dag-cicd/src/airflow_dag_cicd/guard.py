"""The isolation guard: a run writes inside its environment's namespace only.

Checked before anything is opened or created, so a refused write leaves not
even an empty file or folder behind. The rules are the backend's
``assertWritable`` (``plugins/dag-cicd-backend/src/namespaces/DataNamespace.ts``):

- the target must be a normalised URI (see :mod:`airflow_dag_cicd.uris`)
  within the namespace;
- and never within the production prefix, unless the namespace *is* the
  production prefix (a production run). This holds even when the namespace is
  configured inside production's prefix, or the other way round.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from typing import IO, Any

from airflow_dag_cicd.storage import storage_for, to_uri
from airflow_dag_cicd.uris import InvalidPathError, is_prefix, is_within

__all__ = ["IsolationError", "IsolationGuard", "assert_writable"]


class IsolationError(PermissionError):
    """A write that would leave the run's namespace or touch production."""


def _check_prefix(field: str, prefix: str) -> None:
    if not is_prefix(prefix):
        raise InvalidPathError(
            f"{field} {prefix!r} is not a normalised URI prefix: it must be scheme://.../ "
            'ending in "/", without ".", "..", empty segments, "\\", "%", "?" or "#"'
        )


def assert_writable(namespace: str, uri: str, production_prefix: str) -> None:
    """Refuse a write of ``uri`` on behalf of a run whose namespace is ``namespace``.

    :raises InvalidPathError: when ``namespace`` or ``production_prefix`` is not
        a normalised prefix (a production prefix that cannot be reasoned about
        must not turn into "nothing is production")
    :raises IsolationError: when the write would leave the namespace or touch production
    """
    _check_prefix("namespace", namespace)
    _check_prefix("production prefix", production_prefix)
    if not is_within(namespace, uri):
        raise IsolationError(f"{uri!r} is outside the data namespace {namespace}")
    if namespace != production_prefix and is_within(production_prefix, uri):
        raise IsolationError(
            f"{uri!r} is within the production prefix {production_prefix}; "
            "only production writes there"
        )


class IsolationGuard:
    """The guard of one run: its namespace and the production prefix.

    >>> guard = IsolationGuard("file:///lake/ci_1/", "file:///lake/prod/")
    >>> guard.assert_writable("file:///lake/ci_1/orders/part-0.csv")
    'file:///lake/ci_1/orders/part-0.csv'
    """

    def __init__(self, namespace: str, production_prefix: str) -> None:
        _check_prefix("namespace", namespace)
        _check_prefix("production prefix", production_prefix)
        self.namespace = namespace
        self.production_prefix = production_prefix

    def __repr__(self) -> str:
        return (
            f"IsolationGuard(namespace={self.namespace!r}, "
            f"production_prefix={self.production_prefix!r})"
        )

    def assert_writable(self, target: str | os.PathLike[str]) -> str:
        """The URI of ``target`` (a URI or an absolute local path) if this run may write it.

        :raises IsolationError: if it may not
        """
        try:
            uri = to_uri(target)
        except InvalidPathError as error:
            raise IsolationError(f"{os.fspath(target)!r}: {error}") from None
        assert_writable(self.namespace, uri, self.production_prefix)
        return uri

    @contextlib.contextmanager
    def open(
        self, target: str | os.PathLike[str], mode: str = "wb", encoding: str = "utf-8"
    ) -> Iterator[IO[Any]]:
        """Open ``target`` for writing, after :meth:`assert_writable`.

        ``mode`` is ``"wb"`` (bytes) or ``"w"`` (text, ``newline=""`` so the csv
        module controls line endings). The object appears whole when the block
        ends without an exception, and not at all otherwise.
        """
        if mode not in ("wb", "w"):
            raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}")
        uri = self.assert_writable(target)
        with storage_for(uri).open_write(uri) as stream:
            if mode == "wb":
                yield stream
                return
            text = io.TextIOWrapper(stream, encoding=encoding, newline="")
            try:
                yield text
                text.flush()
            finally:
                # The storage closes the stream itself.
                text.detach()
