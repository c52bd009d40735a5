"""TaskIO: the input checks and output manifests behind @dag_cicd_task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import design_conf

from airflow_dag_cicd.contract import parse_conf
from airflow_dag_cicd.guard import IsolationError, IsolationGuard
from airflow_dag_cicd.tasks import InputCheckError, TaskIO, dag_cicd_task


def task_io(
    lake: Path, inputs: dict[str, object] | None = None, outputs: tuple[str, ...] = ()
) -> TaskIO:
    conf = design_conf(f"file://{lake}/ci_1/")
    conf["inputs"] = {
        "orders": {"uri": f"file://{lake}/raw/orders/", "mode": "read-only"},
        "single": {"uri": f"file://{lake}/raw/one.csv", "mode": "read-only"},
    }
    context = parse_conf(conf)
    return TaskIO(
        context,
        IsolationGuard(context.namespace, f"file://{lake}/prod/"),
        dag_id="orders",
        run_id="manual__2026-11-24T10:00:00+00:00",
        task_id="clean",
        inputs=inputs,  # type: ignore[arg-type]
        outputs=outputs,
    )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


class TestInputChecks:
    def test_pass_when_every_object_has_the_columns_and_there_are_rows(
        self, tmp_path: Path
    ) -> None:
        write(tmp_path / "raw/orders/dt=1/part-0.csv", "id,amount,extra\n1,2,3\n")
        write(tmp_path / "raw/orders/dt=2/part-0.csv", "id,amount\n")
        write(tmp_path / "raw/orders/_SUCCESS", "")
        io = task_io(tmp_path, {"orders": {"columns": ["id", "amount"]}})
        io.check_inputs()
        assert [o.uri.rsplit("/raw/", 1)[1] for o in io.objects("orders")] == [
            "orders/_SUCCESS",
            "orders/dt=1/part-0.csv",
            "orders/dt=2/part-0.csv",
        ]
        assert [r.values for r in io.rows("orders")] == [{"id": "1", "amount": "2", "extra": "3"}]

    def test_list_every_problem_at_once(self, tmp_path: Path) -> None:
        write(tmp_path / "raw/orders/dt=1/part-0.csv", "id,note\n")
        write(tmp_path / "raw/orders/dt=2/part-0.csv", "id\n")
        io = task_io(
            tmp_path,
            {"orders": {"columns": ["id", "amount"]}, "single": {}, "missing": {}},
        )
        with pytest.raises(InputCheckError) as raised:
            io.check_inputs()
        message = str(raised.value)
        assert "dt=1/part-0.csv lacks column amount (has id, note)" in message
        assert "dt=2/part-0.csv lacks column amount (has id)" in message
        assert "input 'orders': no rows in any of its 2 objects" in message
        assert f"input 'single': nothing at file://{tmp_path}/raw/one.csv" in message
        assert "input 'missing' is not in the context of environment 'ci_ab12cd3'" in message

    def test_a_single_object_input(self, tmp_path: Path) -> None:
        write(tmp_path / "raw/one.csv", "a\n1\n")
        task_io(tmp_path, {"single": {"columns": ["a"]}}).check_inputs()


class TestOutputs:
    def test_are_written_through_the_guard_and_described_in_the_manifest(
        self, tmp_path: Path
    ) -> None:
        io = task_io(tmp_path, outputs=("orders/part-0.csv", "quarantine/part-0.csv"))
        with io.open_output("orders/part-0.csv", "w") as out:
            out.write("id\n1\n2\n")
        with io.open_output("quarantine/part-0.csv") as out:
            out.write(b"source_row\n")
        manifest = io.write_manifest()
        stored = tmp_path / "ci_1/_manifests/manual__2026-11-24T10_00_00+00_00/clean.json"
        assert json.loads(stored.read_text()) == manifest
        assert manifest["run_id"] == "manual__2026-11-24T10:00:00+00:00"
        assert (manifest["environment"], manifest["stage"], manifest["task_id"]) == (
            "ci_ab12cd3",
            "ci",
            "clean",
        )
        assert [(o["path"], o["rows"]) for o in manifest["outputs"]] == [
            (f"file://{tmp_path}/ci_1/orders/part-0.csv", 2),
            (f"file://{tmp_path}/ci_1/quarantine/part-0.csv", 0),
        ]

    def test_an_undeclared_output_is_refused(self, tmp_path: Path) -> None:
        io = task_io(tmp_path, outputs=("a.csv",))
        with pytest.raises(ValueError, match="not declared"), io.open_output("b.csv"):
            pass  # pragma: no cover
        assert not (tmp_path / "ci_1").exists()

    def test_a_declared_output_must_be_written(self, tmp_path: Path) -> None:
        io = task_io(tmp_path, outputs=("a.csv", "b.csv"))
        with io.open_output("a.csv") as out:
            out.write(b"x")
        with pytest.raises(RuntimeError, match=r"did not write its declared output b\.csv"):
            io.write_manifest()

    def test_a_failed_write_leaves_neither_output_nor_manifest_entry(self, tmp_path: Path) -> None:
        io = task_io(tmp_path, outputs=("a.csv",))
        with pytest.raises(ZeroDivisionError), io.open_output("a.csv") as out:
            out.write(b"partial")
            1 / 0  # noqa: B018
        assert list((tmp_path / "ci_1").iterdir()) == []
        with pytest.raises(RuntimeError):
            io.manifest()

    def test_a_namespace_inside_production_cannot_write(self, tmp_path: Path) -> None:
        conf = design_conf(f"file://{tmp_path}/prod/ci_1/")
        context = parse_conf(conf)
        io = TaskIO(
            context,
            IsolationGuard(context.namespace, f"file://{tmp_path}/prod/"),
            dag_id="d",
            run_id="r",
            task_id="t",
            outputs=("a.csv",),
        )
        with pytest.raises(IsolationError, match="production prefix"), io.open_output("a.csv"):
            pass  # pragma: no cover

    def test_s3_outputs_and_inputs(self, fake_s3: dict[str, bytes]) -> None:
        fake_s3["lake/raw/events/dt=1/e.jsonl"] = b'{"id": "e1"}\n'
        conf = design_conf("s3://lake/ci_1/")
        conf["inputs"] = {"events": {"uri": "s3://lake/raw/events/", "mode": "read-only"}}
        context = parse_conf(conf)
        io = TaskIO(
            context,
            IsolationGuard(context.namespace, "s3://lake/prod/"),
            dag_id="d",
            run_id="r1",
            task_id="t",
            inputs={"events": {"columns": ["id"]}},
            outputs=("events/part-0.jsonl",),
        )
        io.check_inputs()
        with io.open_output("events/part-0.jsonl", "wb") as out:
            for row in io.rows("events"):
                out.write((row.raw + "\n").encode())
        io.write_manifest()
        assert fake_s3["lake/ci_1/events/part-0.jsonl"] == b'{"id": "e1"}\n'
        assert json.loads(fake_s3["lake/ci_1/_manifests/r1/t.json"])["outputs"][0]["rows"] == 1


@pytest.mark.parametrize(
    ("outputs", "error"),
    [
        (["../x.csv"], "not a valid path segment"),
        (["orders/"], "must name an object"),
        (["_manifests/x.json"], "kept for manifests"),
        (["a.csv", "a.csv"], "declared twice"),
        ("a.csv", "not one string"),
    ],
)
def test_declared_outputs_are_checked_when_the_dag_is_parsed(outputs: object, error: str) -> None:
    with pytest.raises((ValueError, TypeError), match=error):
        dag_cicd_task(outputs=outputs)  # type: ignore[arg-type]
