"""The isolation guard: the backend's assertWritable, and writes that happen only when allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_dag_cicd.guard import IsolationError, IsolationGuard, assert_writable
from airflow_dag_cicd.uris import InvalidPathError

CI1 = "s3://lake/dag-cicd/default/orders/ci_1/"
PRODUCTION = "s3://lake/prod/orders/"


class TestAssertWritable:
    def test_allows_a_write_inside_the_namespace(self) -> None:
        assert_writable(CI1, f"{CI1}orders/part-0.csv", PRODUCTION)

    @pytest.mark.parametrize(
        "uri",
        [
            "s3://lake/dag-cicd/default/orders/ci_10/x",
            f"{CI1}../ci_2/x",
            f"{CI1}a%2f..%2fx",
            "file:///etc/passwd",
            f"{PRODUCTION}x",
        ],
    )
    def test_refuses_outside_the_namespace(self, uri: str) -> None:
        with pytest.raises(IsolationError, match="outside the data namespace"):
            assert_writable(CI1, uri, PRODUCTION)

    def test_refuses_production_even_when_the_namespace_overlaps_it(self) -> None:
        overlapping = f"{PRODUCTION}dag-cicd/default/orders/ci_1/"
        with pytest.raises(IsolationError, match="within the production prefix"):
            assert_writable(overlapping, f"{overlapping}x", PRODUCTION)
        with pytest.raises(IsolationError, match="within the production prefix"):
            assert_writable("s3://lake/", f"{PRODUCTION}x", PRODUCTION)

    def test_lets_production_write_to_its_own_prefix(self) -> None:
        assert_writable(PRODUCTION, f"{PRODUCTION}orders/part-0.csv", PRODUCTION)

    def test_refuses_a_production_prefix_it_cannot_reason_about(self) -> None:
        with pytest.raises(InvalidPathError, match="production prefix"):
            assert_writable(CI1, f"{CI1}x", "s3://lake/prod/../orders/")
        with pytest.raises(InvalidPathError, match="namespace"):
            assert_writable("s3://lake/ci", "s3://lake/ci/x", PRODUCTION)

    @settings(max_examples=500, deadline=None)
    @given(
        tail=st.lists(st.sampled_from([*"ab./\\%2e ?#", "..", "prod"]), max_size=20).map("".join)
    )
    def test_anything_it_allows_is_in_the_namespace_and_not_production(self, tail: str) -> None:
        uri = CI1 + tail
        try:
            assert_writable(CI1, uri, PRODUCTION)
        except IsolationError:
            return
        assert uri.startswith(CI1) and not uri.startswith(PRODUCTION)
        assert ".." not in uri.split("/") and "%" not in uri and "\\" not in uri


class TestIsolationGuardOnFiles:
    @pytest.fixture
    def lake(self, tmp_path: Path) -> Path:
        (tmp_path / "prod" / "orders").mkdir(parents=True)
        return tmp_path

    def guard(self, lake: Path) -> IsolationGuard:
        return IsolationGuard(f"file://{lake}/ci_1/", f"file://{lake}/prod/")

    def test_writes_inside_the_namespace_whole_or_not_at_all(self, lake: Path) -> None:
        guard = self.guard(lake)
        with guard.open(f"file://{lake}/ci_1/orders/part-0.csv", "w") as out:
            out.write("a,b\n1,2\n")
        assert (lake / "ci_1/orders/part-0.csv").read_text() == "a,b\n1,2\n"

        with pytest.raises(RuntimeError), guard.open(f"{lake}/ci_1/orders/part-1.csv") as out:
            out.write(b"half a row")
            raise RuntimeError("the task failed half-way")
        assert sorted(os.listdir(lake / "ci_1/orders")) == ["part-0.csv"]

    @pytest.mark.parametrize(
        "target",
        [
            "{lake}/prod/orders/part-0.csv",
            "file://{lake}/prod/orders/part-0.csv",
            "file://{lake}/ci_1/../prod/orders/part-0.csv",
            "{lake}/ci_10/x.csv",
            "file://{lake}/ci_1/a%2f..%2fx.csv",
            "relative/path.csv",
        ],
    )
    def test_refuses_before_any_byte_or_folder_exists(self, lake: Path, target: str) -> None:
        before = sorted(str(p) for p in lake.rglob("*"))
        with (
            pytest.raises(IsolationError),
            self.guard(lake).open(target.format(lake=lake), "w") as out,
        ):
            out.write("never written")  # pragma: no cover - the guard refuses first
        assert sorted(str(p) for p in lake.rglob("*")) == before

    def test_returns_the_uri_it_checked(self, lake: Path) -> None:
        assert self.guard(lake).assert_writable(f"{lake}/ci_1/x.csv") == f"file://{lake}/ci_1/x.csv"

    def test_production_writes_its_own_prefix(self, lake: Path) -> None:
        guard = IsolationGuard(f"file://{lake}/prod/", f"file://{lake}/prod/")
        with guard.open(f"{lake}/prod/orders/part-0.csv", "wb") as out:
            out.write(b"x")
        assert (lake / "prod/orders/part-0.csv").read_bytes() == b"x"


def test_writes_s3_through_the_storage(fake_s3: dict[str, bytes]) -> None:
    guard = IsolationGuard("s3://lake/ci_1/", "s3://lake/prod/")
    with guard.open("s3://lake/ci_1/out.csv", "w") as out:
        out.write("a\n1\n")
    assert fake_s3 == {"lake/ci_1/out.csv": b"a\n1\n"}
    with pytest.raises(IsolationError), guard.open("s3://lake/prod/out.csv") as raw:
        raw.write(b"x")  # pragma: no cover
    assert list(fake_s3) == ["lake/ci_1/out.csv"]
