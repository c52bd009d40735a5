"""Output manifests: measured from the bytes written, stored where the backend looks."""

from __future__ import annotations

import hashlib
import io

import pytest

from airflow_dag_cicd.manifest import ManifestBuilder, MeasuredStream, manifest_uri, path_segment

NAMESPACE = "s3://lake/dag-cicd/default/orders/ci_1/"


def measure(uri: str, data: bytes, chunk: int = 5) -> dict[str, object]:
    builder = ManifestBuilder(uri)
    for i in range(0, len(data), chunk):
        builder.write(data[i : i + chunk])
    return builder.result()


def test_a_csv_output_has_rows_schema_bytes_and_checksum() -> None:
    data = b'id,amount,note,at\n1,10,"a,b",2026-11-24T00:00:00Z\n2,10.5,,2026-11-24T01:00:00Z\n\n'
    manifest = measure("s3://b/out/part-0.csv", data)
    assert manifest == {
        "path": "s3://b/out/part-0.csv",
        "format": "csv",
        "rows": 2,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "schema": [
            {"name": "id", "type": "integer", "nullable": False},
            {"name": "amount", "type": "number", "nullable": False},
            {"name": "note", "type": "string", "nullable": True},
            {"name": "at", "type": "timestamp", "nullable": False},
        ],
    }


def test_a_json_lines_output_has_the_union_of_its_keys() -> None:
    data = b'{"id": 1, "tags": ["a"]}\n{"id": 2, "ok": true, "tags": null}\n'
    manifest = measure("file:///x/e.jsonl", data, chunk=3)
    assert manifest["rows"] == 2
    assert manifest["schema"] == [
        {"name": "id", "type": "integer", "nullable": False},
        {"name": "tags", "type": "array", "nullable": True},
        {"name": "ok", "type": "boolean", "nullable": True},
    ]


def test_another_format_has_bytes_and_checksum_only() -> None:
    manifest = measure("file:///x/model.bin", b"\x00\x01")
    assert (manifest["rows"], manifest["schema"], manifest["bytes"]) == (None, None, 2)


def test_the_measured_stream_passes_every_byte_through() -> None:
    target = io.BytesIO()
    stream = MeasuredStream(target, ManifestBuilder("file:///x/a.csv"))
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    text.write("a\n1\n")
    text.flush()
    assert target.getvalue() == b"a\n1\n"
    assert stream.builder.result()["rows"] == 1


@pytest.mark.parametrize(
    ("run_id", "segment"),
    [
        ("dag_cicd__ci_ab12cd3__1", "dag_cicd__ci_ab12cd3__1"),
        ("manual__2026-11-24T10:00:00+00:00", "manual__2026-11-24T10_00_00+00_00"),
        ("-x", "_-x"),
        ("run.", "run_"),
        ("a/../b", "a_.._b"),
    ],
)
def test_run_ids_become_one_safe_key_segment(run_id: str, segment: str) -> None:
    assert path_segment(run_id) == segment


def test_manifest_uri() -> None:
    assert manifest_uri(NAMESPACE, "manual__2026-11-24T10:00:00+00:00", "clean_orders") == (
        f"{NAMESPACE}_manifests/manual__2026-11-24T10_00_00+00_00/clean_orders.json"
    )
    assert manifest_uri(NAMESPACE, "r1", "group.split", map_index=3) == (
        f"{NAMESPACE}_manifests/r1/group.split.3.json"
    )
