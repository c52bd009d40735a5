"""Rows of CSV and JSON Lines objects, split and numbered as the fault injector does."""

from __future__ import annotations

import io

import pytest

from airflow_dag_cicd.records import RecordSplitter, Row, columns_of, format_of, read_rows


def rows(data: bytes, uri: str = "file:///in/part-0.csv") -> list[Row]:
    return list(read_rows(io.BytesIO(data), uri))


class TestRecordSplitter:
    def test_keeps_quoted_line_breaks_in_a_csv_record_whatever_the_chunks(self) -> None:
        data = b'id,note\n1,"a\nb"\n2,"say ""hi""\n"\n3,x'
        for size in (1, 2, 3, 7, len(data)):
            splitter = RecordSplitter("csv")
            records: list[bytes] = []
            for i in range(0, len(data), size):
                records.extend(splitter.feed(data[i : i + size]))
            records.extend(splitter.end())
            assert records == [b"id,note\n", b'1,"a\nb"\n', b'2,"say ""hi""\n"\n', b"3,x"], size

    def test_ends_json_lines_records_at_every_line_feed(self) -> None:
        splitter = RecordSplitter("jsonl")
        assert splitter.feed(b'{"a": "x\\"\n{"b": 1}\n') == [b'{"a": "x\\"\n', b'{"b": 1}\n']


class TestReadRows:
    def test_numbers_data_rows_from_one_after_the_header(self) -> None:
        got = rows(b"\xef\xbb\xbfid,amount\r\n1,10\r\n\r\n2,20\n")
        assert [(r.number, r.values) for r in got] == [
            (1, {"id": "1", "amount": "10"}),
            (2, {"id": "2", "amount": "20"}),
        ]
        assert got[0].raw == "1,10" and got[0].file == "file:///in/part-0.csv"

    @pytest.mark.parametrize(
        ("line", "error"),
        [
            ("1,10,", "expected 2 columns, got 3"),
            ("1", "expected 2 columns, got 1"),
            ('1,"10"x', "unparseable CSV"),
        ],
    )
    def test_reports_a_malformed_csv_row_under_its_number(self, line: str, error: str) -> None:
        got = rows(f"id,amount\n0,5\n{line}\n3,30\n".encode())
        assert [r.number for r in got] == [1, 2, 3]
        assert got[1].error is not None and error in got[1].error
        assert got[1].raw == line and got[1].values == {}
        assert got[2].error is None

    def test_reports_bytes_that_are_not_utf8(self) -> None:
        (got,) = rows(b"id\n\xff\n")
        assert got.error is not None and got.error.startswith("not UTF-8")

    def test_reads_json_lines_skipping_blank_lines(self) -> None:
        got = rows(b'{"id": 1}\n  \n{"id": 2,}\n[1]\n{"id": 3}', "file:///in/e.jsonl")
        assert [(r.number, r.format, r.error is None) for r in got] == [
            (1, "jsonl", True),
            (2, "jsonl", False),
            (3, "jsonl", False),
            (4, "jsonl", True),
        ]
        assert got[1].error is not None and got[1].error.startswith("invalid JSON")
        assert got[2].error == "not a JSON object but list"
        assert got[3].values == {"id": 3}

    def test_refuses_an_object_of_another_format(self) -> None:
        with pytest.raises(ValueError, match="neither CSV nor JSON Lines"):
            rows(b"x", "file:///in/part-0.parquet")


def test_columns_of_a_csv_header_or_the_first_readable_json_object() -> None:
    assert columns_of(io.BytesIO(b"\na,b\n1,2\n"), "x.csv") == ["a", "b"]
    assert columns_of(io.BytesIO(b'\n{"broken"\n{"a": 1, "b": 2}\n'), "x.jsonl") == ["a", "b"]
    assert columns_of(io.BytesIO(b""), "x.jsonl") is None


def test_format_by_extension() -> None:
    assert format_of("s3://b/x/PART-0.CSV") == "csv"
    assert format_of("file:///x/e.ndjson") == "jsonl"
    assert format_of("file:///x/_SUCCESS") is None
