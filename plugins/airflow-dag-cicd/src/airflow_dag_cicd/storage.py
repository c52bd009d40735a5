"""Where the bytes live: one small :class:`Storage` per URI scheme.

``file://`` is a local folder and always there. ``s3://`` uses boto3, imported
on first use only (``pip install boto3``; endpoint, region and credentials come
from boto3's own configuration, e.g. ``AWS_ENDPOINT_URL`` for MinIO). Other
schemes are added with :func:`register_storage`.

Writes are all or nothing: what :meth:`Storage.open_write` yields becomes
visible under its URI only when the ``with`` block ends without an exception,
so a task that fails half-way leaves no half-written output for a later task
(or a promotion gate) to read.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO, Any, Protocol

from airflow_dag_cicd.uris import InvalidPathError, is_normalised, scheme_of

__all__ = [
    "FileStorage",
    "S3Storage",
    "Storage",
    "StoredObject",
    "local_path",
    "register_storage",
    "storage_for",
    "to_uri",
]


@dataclass(frozen=True)
class StoredObject:
    uri: str
    size: int


class Storage(Protocol):
    def list(self, prefix: str) -> Iterator[StoredObject]:
        """Every object under ``prefix``, in URI order."""
        ...

    def open_read(self, uri: str) -> AbstractContextManager[IO[bytes]]: ...

    def open_write(self, uri: str) -> AbstractContextManager[IO[bytes]]:
        """A binary stream whose bytes appear at ``uri`` once the block ends cleanly."""
        ...


def to_uri(target: str | os.PathLike[str]) -> str:
    """A URI for a URI or an absolute local path (``/data/x.csv`` -> ``file:///data/x.csv``).

    The path is taken as written, not resolved: ``..`` stays and is refused by
    whoever checks the URI, rather than silently pointing somewhere else.
    """
    text = os.fspath(target)
    if "://" in text:
        return text
    if not os.path.isabs(text) or os.sep != "/":
        raise InvalidPathError(f"{text!r} is neither a URI nor an absolute POSIX path")
    return f"file://{text}"


def local_path(uri: str) -> str:
    """The local path of a ``file://`` URI (``file:///x`` or ``file://localhost/x``)."""
    if scheme_of(uri) != "file":
        raise InvalidPathError(f"{uri!r} is not a file:// URI")
    rest = uri[len("file://") :]
    authority, _, path = rest.partition("/")
    if authority not in ("", "localhost"):
        raise InvalidPathError(f"{uri!r} names host {authority!r}; file:// URIs must be local")
    return "/" + path


# Temporary files of writes in progress start with this, and list() skips them.
_PARTIAL = ".dag-cicd-partial-"


class FileStorage:
    """``file://`` URIs: a local folder (or a shared file system)."""

    def list(self, prefix: str) -> Iterator[StoredObject]:
        root = local_path(prefix)
        if not prefix.endswith("/"):
            if os.path.isfile(root):
                yield StoredObject(prefix, os.path.getsize(root))
            return
        found: list[StoredObject] = []
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in files:
                if name.startswith(_PARTIAL):
                    continue
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, root).replace(os.sep, "/")
                found.append(StoredObject(prefix + relative, os.path.getsize(path)))
        yield from sorted(found, key=lambda o: o.uri)

    @contextlib.contextmanager
    def open_read(self, uri: str) -> Iterator[IO[bytes]]:
        with open(local_path(uri), "rb") as stream:
            yield stream

    @contextlib.contextmanager
    def open_write(self, uri: str) -> Iterator[IO[bytes]]:
        path = local_path(uri)
        folder, name = os.path.split(path)
        os.makedirs(folder, exist_ok=True)
        # Written beside the target and renamed over it: readers see the old
        # file or the whole new one, never a part.
        partial = os.path.join(folder, f"{_PARTIAL}{uuid.uuid4().hex}-{name}")
        try:
            with open(partial, "xb") as stream:
                yield stream
            os.replace(partial, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)


class S3Storage:
    """``s3://bucket/key`` URIs through boto3 (an optional dependency)."""

    def __init__(self, client: Any = None, spool_bytes: int = 8 * 2**20) -> None:
        self._client = client
        self._spool_bytes = spool_bytes

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3
            except ImportError as error:  # pragma: no cover - depends on the install
                raise RuntimeError(
                    "s3:// URIs need boto3: pip install boto3 (or apache-airflow-providers-amazon)"
                ) from error
            self._client = boto3.client("s3")
        return self._client

    @staticmethod
    def _split(uri: str) -> tuple[str, str]:
        if scheme_of(uri) != "s3":
            raise InvalidPathError(f"{uri!r} is not an s3:// URI")
        bucket, _, key = uri[len("s3://") :].partition("/")
        return bucket, key

    def list(self, prefix: str) -> Iterator[StoredObject]:
        bucket, key = self._split(prefix)
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=key):
            for item in page.get("Contents", []):
                if not prefix.endswith("/") and item["Key"] != key:
                    continue
                yield StoredObject(f"s3://{bucket}/{item['Key']}", int(item["Size"]))

    @contextlib.contextmanager
    def open_read(self, uri: str) -> Iterator[IO[bytes]]:
        bucket, key = self._split(uri)
        body = self.client.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            yield body
        finally:
            body.close()

    @contextlib.contextmanager
    def open_write(self, uri: str) -> Iterator[IO[bytes]]:
        bucket, key = self._split(uri)
        # An S3 object appears whole at its PUT; until then the bytes wait
        # in memory, or on disk past spool_bytes.
        with tempfile.SpooledTemporaryFile(max_size=self._spool_bytes) as spool:
            yield spool
            spool.seek(0)
            self.client.upload_fileobj(spool, bucket, key)


_STORAGES: dict[str, Storage] = {"file": FileStorage()}


def register_storage(scheme: str, storage: Storage) -> None:
    """Use ``storage`` for URIs of ``scheme`` (replacing any earlier one)."""
    _STORAGES[scheme] = storage


def storage_for(uri: str) -> Storage:
    """The storage of a normalised URI's scheme."""
    if not is_normalised(uri):
        raise InvalidPathError(f"{uri!r} is not a normalised URI")
    scheme = scheme_of(uri)
    if scheme not in _STORAGES and scheme == "s3":
        _STORAGES["s3"] = S3Storage()
    try:
        return _STORAGES[scheme]
    except KeyError:
        raise InvalidPathError(
            f"no storage for {scheme}:// URIs; use file:// or s3://, or register one "
            "with airflow_dag_cicd.storage.register_storage"
        ) from None
