"""Namespace URIs: the same verdicts as the backend's DataNamespace.ts."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_dag_cicd.uris import (
    InvalidPathError,
    is_normalised,
    is_prefix,
    is_within,
    resolve_within,
    scheme_of,
)

ROOT = "s3://lake/dag-cicd/"
CI1 = "s3://lake/dag-cicd/default/orders/ci_1/"

valid_name = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,15}", fullmatch=True).filter(
    lambda s: not s.endswith(".")
)
hostile = st.lists(
    st.sampled_from([*"a./\\%2eEfF5c \t\x00?#:\uff0f\u2024\u2028", "%2f", "..", "%2e%2e"]),
    max_size=24,
).map("".join)


class TestIsWithin:
    def test_holds_for_the_prefix_itself_and_anything_under_it(self) -> None:
        assert is_within(CI1, CI1)
        assert is_within(CI1, f"{CI1}orders/dt=2026-11-24/part-0.csv")

    def test_matches_on_a_slash_boundary_only(self) -> None:
        assert not is_within(CI1, "s3://lake/dag-cicd/default/orders/ci_10/x")
        assert not is_within(CI1, "s3://lake/dag-cicd/default/orders/ci_1")

    def test_requires_a_normalised_prefix_ending_in_a_slash(self) -> None:
        assert not is_within("s3://lake/dag-cicd/default/orders/ci_1", CI1)
        assert not is_within("s3://lake/../", "s3://lake/../x")
        assert not is_within("", "s3://lake/x")

    @pytest.mark.parametrize(
        "uri",
        [
            f"{CI1}../ci_2/x",
            f"{CI1}..",
            f"{CI1}./x",
            f"{CI1}a//x",
            f"{CI1}.. ",
            f"{CI1}..../x",
            f" {CI1}x",
            f"{CI1}x ",
            f"{CI1}..%2Fci_2/x",
            f"{CI1}%2e%2e/ci_2/x",
            f"{CI1}..%5cci_2",
            f"{CI1}..\\..\\x",
            f"{CI1}..\uff0f..\uff0fx",
            f"{CI1}\u2024\u2024/x",
            f"{CI1}x?../../y",
            f"{CI1}x#/../y",
            f"{CI1}x\x00",
            f"{CI1}x\u2028",
            "file:///etc/passwd",
            "/etc/passwd",
            ROOT,
            "s3://lake/dag-cicd/default/orders/ci_10/",
            "s3://lake2/dag-cicd/default/orders/ci_1/x",
        ],
    )
    def test_refuses(self, uri: str) -> None:
        assert not is_within(CI1, uri)

    def test_trims_like_javascript_not_like_python(self) -> None:
        # U+0085 is whitespace to str.strip() but not to String.prototype.trim,
        # so the backend accepts it: so must the guard, or the two disagree.
        assert is_normalised(f"{CI1}x\x85") is True
        assert is_normalised(f"{CI1}x\u3000") is False  # trimmed by both

    @settings(max_examples=500, deadline=None)
    @given(
        down=st.lists(valid_name, max_size=3),
        ups=st.integers(min_value=1, max_value=6),
        dots=st.sampled_from(["..", "%2e%2e", "%2E%2E", ".%2e", "\u2024\u2024"]),
        slash=st.sampled_from(["/", "%2f", "%2F", "\\", "\uff0f"]),
        tail=st.lists(valid_name, max_size=3),
    )
    def test_never_holds_for_a_uri_that_climbs_out(
        self, down: list[str], ups: int, dots: str, slash: str, tail: list[str]
    ) -> None:
        uri = CI1 + "".join(f"{s}/" for s in down) + f"{dots}{slash}" * ups + "/".join(tail)
        assert not is_within(CI1, uri)

    @settings(max_examples=500, deadline=None)
    @given(tail=hostile)
    def test_agrees_with_url_resolution_for_whatever_it_accepts(self, tail: str) -> None:
        uri = CI1 + tail
        if is_within(CI1, uri):
            parsed = urlsplit(uri)
            resolved = posixpath.normpath(unquote(parsed.path))
            assert parsed.netloc == "lake"
            assert (resolved + "/").startswith(urlsplit(CI1).path)


class TestResolveWithin:
    def test_resolves_a_key_or_a_sub_prefix(self) -> None:
        assert resolve_within(CI1, "events/dt=2026-11-24/part-0.csv") == (
            f"{CI1}events/dt=2026-11-24/part-0.csv"
        )
        assert resolve_within(CI1, "_manifests/") == f"{CI1}_manifests/"

    @pytest.mark.parametrize(
        "path",
        [
            "",
            "../ci_2/x",
            "a/../../x",
            "./x",
            "a//x",
            "/",
            "/etc/passwd",
            "file:///etc",
            "s3://other/x",
            "..%2Fci_2",
            "%2e%2e/x",
            "..\\x",
            "C:\\Windows",
            "..\uff0fx",
            "\u2024\u2024/x",
            "out./x",
            "a" * 256,
        ],
    )
    def test_refuses(self, path: str) -> None:
        with pytest.raises(InvalidPathError):
            resolve_within(CI1, path)

    def test_names_the_segment_and_the_reason(self) -> None:
        with pytest.raises(
            InvalidPathError,
            match=r"segment '\.\.' is not a valid path segment: it is a relative path",
        ):
            resolve_within(CI1, "a/../x")

    def test_refuses_a_prefix_that_is_not_normalised(self) -> None:
        with pytest.raises(InvalidPathError, match="not a normalised URI prefix"):
            resolve_within("s3://lake/../", "x")

    @settings(max_examples=500, deadline=None)
    @given(
        path=st.one_of(
            hostile,
            st.lists(st.one_of(valid_name, hostile), max_size=5).map("/".join),
        )
    )
    def test_either_refuses_or_stays_within(self, path: str) -> None:
        try:
            uri = resolve_within(CI1, path)
        except InvalidPathError:
            return
        assert uri == CI1 + path
        assert is_within(CI1, uri)
        assert is_within(ROOT, uri)


def test_prefixes_and_schemes() -> None:
    assert is_prefix("file:///var/data/")
    assert not is_prefix("file:///var/data")
    assert scheme_of("s3://lake/x") == "s3"
    with pytest.raises(InvalidPathError):
        scheme_of("/var/data")
