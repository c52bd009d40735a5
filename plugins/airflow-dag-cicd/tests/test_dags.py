"""Real DAG runs on Airflow 3 (``dag.test()``), with ``file://`` namespaces in a temporary lake.

The DAGs are parsed by Airflow's own DAG bag, so the package's plugin (macros)
and cluster policy (connection overrides) take part through their entry
points, as they would in a deployment.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import COMMIT, EXAMPLE_LAKE, design_conf
from dagruns import DagRunResult, run_dag

pytestmark = pytest.mark.usefixtures("airflow_db")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROW_FAULTS = {"nulls", "malformed", "duplicates", "late"}


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example lake, as production's root."""
    root = tmp_path / "store"
    shutil.copytree(EXAMPLE_LAKE, root / "lake")
    monkeypatch.setenv("DAG_CICD_PRODUCTION_ROOT", f"file://{root}/")
    return root


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def ci_conf(lake: Path, dag_id: str, entity: str, **changes: Any) -> dict[str, Any]:
    conf = design_conf(f"file://{lake}/dag-cicd/default/{dag_id}/ci_ab12cd3/")
    conf.update(entity=entity, inputs={}, artifacts={}, connections={}, profile="sample")
    conf.pop("seed")
    conf.update(changes)
    return conf


def test_the_plugin_and_the_policy_are_found_through_their_entry_points() -> None:
    from airflow import plugins_manager, settings

    plugins = {
        p["name"]: p for p in plugins_manager.get_plugin_info(attrs_to_dump=["name", "macros"])
    }
    assert "dag_cicd" in plugins
    assert {"path", "input", "artifact", "conn_id", "environment"} <= {
        m.rsplit(".", 1)[-1] for m in plugins["dag_cicd"]["macros"]
    }
    impls = settings.get_policy_plugin_manager().hook.task_policy.get_hookimpls()
    assert "airflow_dag_cicd.policy" in {impl.plugin.__name__ for impl in impls}


class TestProbe:
    """tests/dags/dag_cicd_probe.py"""

    def conf(self, lake: Path, **params: str) -> dict[str, Any]:
        dag_cicd = ci_conf(
            lake,
            "probe",
            "component:default/probe",
            inputs={"events": {"uri": f"file://{lake}/lake/raw/events/", "mode": "read-only"}},
            artifacts={"etl_jar": f"s3://artifacts/probe/{COMMIT}/etl.jar"},
            connections={"spark_default": "spark_ci", "warehouse_default": "warehouse_ci"},
        )
        return {"dag_cicd": dag_cicd, **params}

    def test_a_ci_run_renders_its_environment_and_uses_its_connections(self, lake: Path) -> None:
        run = run_dag("dag_cicd_probe", self.conf(lake))
        assert run.states == {
            "render": "success",
            "render_mapped": "success",
            "write": "success",
            "escape": "success",
        }
        namespace = f"file://{lake}/dag-cicd/default/probe/ci_ab12cd3/"
        assert run.xcom("render") == {
            "rendered": {
                "path": f"{namespace}orders/",
                "namespace": namespace,
                "input": f"file://{lake}/lake/raw/events/",
                "artifact": f"s3://artifacts/probe/{COMMIT}/etl.jar",
                "conn": "spark_ci",
                "environment": "ci_ab12cd3",
                "stage": "ci",
            },
            # Overridden at execution time, templated field or not.
            "conn_id": "spark_ci",
            "_warehouse_conn_id": "warehouse_ci",
            "unrelated_conn_id": "untouched_default",
        }
        for index in (0, 1):
            assert run.xcom("render_mapped", map_index=index)["conn_id"] == "spark_ci"

    def test_a_ci_run_writes_its_manifest_to_the_namespace_and_to_xcom(self, lake: Path) -> None:
        run = run_dag("dag_cicd_probe", self.conf(lake))
        namespace = lake / "dag-cicd/default/probe/ci_ab12cd3"
        assert (namespace / "report/part-0.csv").read_text() == "id,value\n1,10\n2,20\n"
        (stored,) = (namespace / "_manifests").glob("*/write.json")
        manifest = json.loads(stored.read_text())
        assert manifest == run.xcom("write", "dag_cicd_manifest")
        assert manifest["run_id"] == run.run_id
        assert manifest["outputs"] == [
            {
                "path": f"file://{namespace}/report/part-0.csv",
                "format": "csv",
                "rows": 2,
                "bytes": 19,
                "sha256": hashlib.sha256(b"id,value\n1,10\n2,20\n").hexdigest(),
                "schema": [
                    {"name": "id", "type": "integer", "nullable": False},
                    {"name": "value", "type": "integer", "nullable": False},
                ],
            }
        ]
        assert run.xcom("write") == f"file://{namespace}/report/part-0.csv"

    def test_a_run_without_dag_cicd_is_production(self, lake: Path) -> None:
        run = run_dag("dag_cicd_probe")
        assert run.state == "success"
        rendered = run.xcom("render")
        assert rendered["rendered"] == {
            "path": f"file://{lake}/lake/probe/orders/",
            "namespace": f"file://{lake}/lake/probe/",
            "input": f"file://{lake}/lake/raw/events/",
            "artifact": "file:///artifacts/probe/production/etl.jar",
            "conn": "spark_default",
            "environment": "production",
            "stage": "production",
        }
        assert rendered["conn_id"] == "spark_default"
        assert (lake / "lake/probe/report/part-0.csv").exists()
        assert list((lake / "lake/probe/_manifests").glob("*/write.json"))

    @pytest.mark.parametrize(
        "escape_to",
        [
            "{lake}/lake/probe/report/part-0.csv",  # production's prefix
            "file://{lake}/dag-cicd/default/probe/ci_other/x.csv",  # another environment
            "../ci_other/x.csv",  # a key climbing out
        ],
    )
    def test_the_guard_refuses_a_write_outside_the_namespace(
        self, lake: Path, escape_to: str
    ) -> None:
        before = checksums(lake)
        run = run_dag("dag_cicd_probe", self.conf(lake, escape_to=escape_to.format(lake=lake)))
        assert run.states["escape"] == "failed"
        assert run.states["write"] == "success"
        after = checksums(lake)
        created = set(after) - set(before)
        # Only the run's own output and manifest appeared, all in its namespace.
        assert created and all(p.startswith("dag-cicd/default/probe/ci_ab12cd3/") for p in created)
        assert {p: after[p] for p in before} == before

    def test_the_same_task_writes_inside_its_namespace(self, lake: Path) -> None:
        # The control for the test above: the escape task fails for its target only.
        run = run_dag("dag_cicd_probe", self.conf(lake, escape_to="own/x.csv"))
        assert run.states["escape"] == "success"
        assert (
            lake / "dag-cicd/default/probe/ci_ab12cd3/own/x.csv"
        ).read_text() == "written by escape\n"

    def test_an_invalid_dag_cicd_fails_the_run_instead_of_falling_back_to_production(
        self, lake: Path
    ) -> None:
        before = checksums(lake)
        run = run_dag("dag_cicd_probe", {"dag_cicd": {"environment": "ci_x", "stage": "ci"}})
        assert run.state == "failed"
        assert set(run.states.values()) == {"failed"}
        assert checksums(lake) == before


def copy_chaos_inputs(namespace: Path, name: str) -> None:
    shutil.copytree(FIXTURES / "chaos/inputs" / name, namespace / "inputs" / name)


def reported_rows(prefix: str) -> set[tuple[str, int]]:
    rows = set()
    for line in (FIXTURES / "chaos/report.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry.get("fault") in ROW_FAULTS and entry["file"].startswith(prefix):
            rows.add((entry["file"], entry["row"]))
    return rows


class TestOrdersDaily:
    ENTITY = "component:default/orders-daily"

    def test_a_chaos_run_quarantines_exactly_the_injected_rows(self, lake: Path) -> None:
        namespace = lake / "dag-cicd/default/orders_daily/ci_ab12cd3"
        copy_chaos_inputs(namespace, "orders")
        production_before = checksums(lake / "lake")
        conf = ci_conf(
            lake,
            "orders_daily",
            self.ENTITY,
            inputs={"orders": {"uri": f"file://{namespace}/inputs/orders/", "mode": "copy"}},
            profile="chaos",
            seed=42,
        )
        run = run_dag("orders_daily", {"dag_cicd": conf})
        assert run.states == {"clean_orders": "success"}

        with (namespace / "quarantine/part-0.csv").open(newline="") as stream:
            quarantined = list(csv.DictReader(stream))
        prefix = f"file://{namespace}/"
        got = {(q["source_file"].removeprefix(prefix), int(q["source_row"])) for q in quarantined}
        assert got == reported_rows("inputs/orders/")
        assert all(q["reason"] and q["record"] for q in quarantined)

        with (namespace / "orders/part-0.csv").open(newline="") as stream:
            clean = list(csv.DictReader(stream))
        assert run.xcom("clean_orders") == {"clean": len(clean), "quarantined": len(quarantined)}
        assert len({row["order_id"] for row in clean}) == len(clean)

        manifest = run.xcom("clean_orders", "dag_cicd_manifest")
        assert [(o["path"].removeprefix(prefix), o["rows"]) for o in manifest["outputs"]] == [
            ("orders/part-0.csv", len(clean)),
            ("quarantine/part-0.csv", len(quarantined)),
        ]
        assert (namespace / f"_manifests/{run.run_id.replace(':', '_')}/clean_orders.json").exists()
        assert checksums(lake / "lake") == production_before

    def test_a_production_run_reads_and_writes_production(self, lake: Path) -> None:
        run = run_dag("orders_daily")
        assert run.states == {"clean_orders": "success"}
        assert run.xcom("clean_orders") == {"clean": 600, "quarantined": 0}
        output = lake / "lake/orders_daily/orders/part-0.csv"
        assert (
            output.read_text().splitlines()[0] == "order_id,customer_id,amount,currency,ordered_at"
        )
        assert not (lake / "dag-cicd").exists()

    def test_an_input_without_the_expected_columns_fails_before_writing(self, lake: Path) -> None:
        namespace = lake / "dag-cicd/default/orders_daily/ci_ab12cd3"
        raw = namespace / "inputs/orders/dt=2026-11-24/part-0.csv"
        raw.parent.mkdir(parents=True)
        raw.write_text(
            "order_id,customer_id,amount_v2,currency,ordered_at\n1,c1,1.0,EUR,2026-11-24T00:00:00Z\n"
        )
        conf = ci_conf(
            lake,
            "orders_daily",
            self.ENTITY,
            inputs={"orders": {"uri": f"file://{namespace}/inputs/orders/", "mode": "copy"}},
        )
        run = run_dag("orders_daily", {"dag_cicd": conf})
        assert run.states == {"clean_orders": "failed"}
        assert sorted(p.name for p in namespace.iterdir()) == ["inputs"]


def test_customer_events_quarantines_exactly_the_injected_lines(lake: Path) -> None:
    namespace = lake / "dag-cicd/default/customer_events_hourly/ci_ab12cd3"
    copy_chaos_inputs(namespace, "customer_events")
    conf = ci_conf(
        lake,
        "customer_events_hourly",
        "component:default/customer-events",
        inputs={"events": {"uri": f"file://{namespace}/inputs/customer_events/", "mode": "copy"}},
        profile="chaos",
        seed=42,
    )
    run = run_dag("customer_events_hourly", {"dag_cicd": conf})
    assert run.states == {"clean_events": "success"}
    lines = (namespace / "quarantine/part-0.jsonl").read_text().splitlines()
    prefix = f"file://{namespace}/"
    got = {(q["source_file"].removeprefix(prefix), q["source_row"]) for q in map(json.loads, lines)}
    assert got == reported_rows("inputs/customer_events/")
    clean = (namespace / "events/part-0.jsonl").read_text().splitlines()
    assert len(clean) + len(lines) == sum(
        1
        for path in (namespace / "inputs").rglob("*.jsonl")
        for line in path.read_text().splitlines()
        if line.strip()
    )


class TestRevenueReport:
    @pytest.fixture
    def spark_submit(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """A stand-in spark-submit on PATH that records its arguments."""
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        log = tmp_path / "spark-submit.args"
        script = bin_dir / "spark-submit"
        script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", "spark://prod-cluster:7077")
        monkeypatch.setenv("AIRFLOW_CONN_SPARK_CI", "spark://ci-cluster:7077")
        return log

    @staticmethod
    def option(args: list[str], name: str) -> str:
        return args[args.index(name) + 1]

    def test_a_ci_run_submits_the_commits_jar_to_the_stages_cluster(
        self, lake: Path, spark_submit: Path
    ) -> None:
        jar = f"s3://artifacts/revenue-report/{COMMIT}/revenue-report.jar"
        conf = ci_conf(
            lake,
            "revenue_report",
            "component:default/revenue-report",
            inputs={
                "orders": {"uri": f"file://{lake}/lake/orders_daily/orders/", "mode": "read-only"}
            },
            artifacts={"etl_jar": jar},
            connections={"spark_default": "spark_ci"},
        )
        run = run_dag("revenue_report", {"dag_cicd": conf})
        assert run.states == {"aggregate_revenue": "success"}
        args = spark_submit.read_text().splitlines()
        assert "ci-cluster" in self.option(args, "--master")
        assert self.option(args, "--name") == "revenue_report-ci_ab12cd3"
        assert self.option(args, "--class") == "com.example.revenue.RevenueReport"
        assert args[args.index(jar) + 1 :] == [
            "--orders",
            f"file://{lake}/lake/orders_daily/orders/",
            "--output",
            f"file://{lake}/dag-cicd/default/revenue_report/ci_ab12cd3/revenue/",
            "--run-id",
            run.run_id,
        ]

    def test_a_production_run_submits_the_production_jar_to_production(
        self, lake: Path, spark_submit: Path
    ) -> None:
        run: DagRunResult = run_dag("revenue_report")
        assert run.states == {"aggregate_revenue": "success"}
        args = spark_submit.read_text().splitlines()
        assert "prod-cluster" in self.option(args, "--master")
        assert "s3://artifacts/revenue-report/production/revenue-report.jar" in args
        assert self.option(args, "--output") == f"file://{lake}/lake/revenue_report/revenue/"
