"""A throw-away Airflow for the tests that run real DAGs.

Airflow reads its configuration when it is first imported, so the environment
is set here, before any test module imports it: a temporary AIRFLOW_HOME, a
SQLite metadata database in it, and a DAGs folder holding the example DAGs
(examples/dags) and the tests' own (tests/dags). Tests that do not use Airflow
never import it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = TESTS_DIR.parent
REPO_ROOT = PACKAGE_DIR.parents[1]
EXAMPLE_DAGS = REPO_ROOT / "examples" / "dags"
EXAMPLE_LAKE = REPO_ROOT / "examples" / "data" / "lake"

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="dag-cicd-airflow-"))
atexit.register(shutil.rmtree, AIRFLOW_HOME, ignore_errors=True)
DAGS_FOLDER = AIRFLOW_HOME / "dags"
DAGS_FOLDER.mkdir()
for source in [*sorted(EXAMPLE_DAGS.glob("*.py")), *sorted((TESTS_DIR / "dags").glob("*.py"))]:
    (DAGS_FOLDER / source.name).symlink_to(source)

os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}",
        "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACKS": "True",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
)
# Production's root is set per test; none leaks in from the shell.
os.environ.pop("DAG_CICD_PRODUCTION_ROOT", None)


COMMIT = "ab12cd3" + "0" * 33


def design_conf(
    namespace: str = "s3://lake/dag-cicd/default/orders/ci_ab12cd3/",
) -> dict[str, object]:
    """A valid conf.dag_cicd (the design's example), with its namespace."""
    return {
        "environment": "ci_ab12cd3",
        "stage": "ci",
        "commit": COMMIT,
        "entity": "component:default/orders",
        "namespace": namespace,
        "inputs": {"events": {"uri": "s3://lake/prod/events/", "mode": "read-only"}},
        "artifacts": {"etl_jar": f"s3://artifacts/etl/{COMMIT}/etl.jar"},
        "connections": {"spark_default": "spark_ci"},
        "profile": "chaos",
        "seed": 42,
    }


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[None]:
    """An initialised metadata database (made once per session)."""
    from airflow.utils import db

    db.initdb()
    yield


class FakeS3Client:
    """The four calls S3Storage makes, on a dict of "bucket/key" -> bytes."""

    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects

    def get_paginator(self, operation: str) -> FakeS3Client:
        assert operation == "list_objects_v2"
        return self

    def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, list[dict[str, object]]]]:
        keys = sorted(
            k.split("/", 1)[1] for k in self.objects if k.startswith(f"{Bucket}/{Prefix}")
        )
        return [
            {"Contents": [{"Key": k, "Size": len(self.objects[f"{Bucket}/{k}"])} for k in keys]}
        ]

    def get_object(self, Bucket: str, Key: str) -> dict[str, object]:
        import io

        return {"Body": io.BytesIO(self.objects[f"{Bucket}/{Key}"])}

    def upload_fileobj(self, stream: object, bucket: str, key: str) -> None:
        self.objects[f"{bucket}/{key}"] = stream.read()  # type: ignore[attr-defined]


@pytest.fixture
def fake_s3() -> Iterator[dict[str, bytes]]:
    """s3:// URIs served from a dict for the duration of a test."""
    from airflow_dag_cicd import storage

    objects: dict[str, bytes] = {}
    previous = storage._STORAGES.get("s3")
    storage.register_storage("s3", storage.S3Storage(client=FakeS3Client(objects)))
    yield objects
    if previous is None:
        storage._STORAGES.pop("s3", None)
    else:
        storage.register_storage("s3", previous)
