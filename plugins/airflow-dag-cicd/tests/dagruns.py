"""Running a DAG of the test DAGs folder with ``dag.test()`` and reading what it left."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conftest import DAGS_FOLDER


def load_dag(dag_id: str) -> Any:
    """The DAG as Airflow parses it: through a DAG bag, so cluster policies apply."""
    from airflow.dag_processing.dagbag import BundleDagBag

    bag = BundleDagBag(
        dag_folder=str(DAGS_FOLDER), bundle_path=DAGS_FOLDER, bundle_name="dags-folder"
    )
    assert not bag.import_errors, bag.import_errors
    dag = bag.get_dag(dag_id)
    assert dag is not None, f"no DAG {dag_id} in {sorted(bag.dag_ids)}"
    return dag


@dataclass
class DagRunResult:
    dag_id: str
    run_id: str
    state: str
    states: dict[str, str]

    def xcom(self, task_id: str, key: str = "return_value", map_index: int = -1) -> Any:
        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        with create_session() as session:
            row = session.scalars(
                XComModel.get_many(
                    run_id=self.run_id,
                    key=key,
                    dag_ids=self.dag_id,
                    task_ids=task_id,
                    map_indexes=map_index,
                )
            ).first()
            assert row is not None, f"no XCom {key!r} of {task_id}"
            # A JSON column: the value comes back as it was pushed.
            return row.value


def run_dag(dag_id: str, conf: dict[str, Any] | None = None) -> DagRunResult:
    dag = load_dag(dag_id)
    run = dag.test(run_conf=conf)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    return DagRunResult(dag_id, run.run_id, str(run.state), states)
