"""Data namespace URIs: the one spelling that plain string comparison can trust.

The Python side of ``plugins/dag-cicd-backend/src/namespaces/DataNamespace.ts``
and ``pathSegment.ts``, with the same rules: the backend writes namespaces with
them, and the isolation guard here must judge a URI exactly as the backend
would. Anything another layer could rewrite into a different path is refused
rather than normalised:

- ``.`` and ``..`` segments, empty segments (``a//b``), and any segment of
  only dots and spaces (``.. ``, ``...``), which URL parsers and Windows turn
  into ``..``;
- leading or trailing whitespace, which URL parsers strip;
- ``\\``, a separator on Windows;
- any ``%``, since ``%2F``, ``%2e%2e`` or ``%5c`` decode into separators and dots;
- ``?`` and ``#``, which end the path in a URI parser;
- control characters, and text that Unicode NFKC folding would change
  (``／`` becomes ``/``, ``․․`` becomes ``..``).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "InvalidPathError",
    "is_normalised",
    "is_prefix",
    "is_within",
    "resolve_within",
    "scheme_of",
]


class InvalidPathError(ValueError):
    """A URI or relative path that cannot be trusted to stay where it says."""


# `scheme://authority/path`; the authority may be empty (`file:///var/...`).
# `[^\n\r\u2028\u2029]` is what `.` matches in JavaScript.
_URI = re.compile(r"([a-z][a-z0-9+.-]*)://([^/\n\r\u2028\u2029]*)(/[^\n\r\u2028\u2029]*)\Z")
_FORBIDDEN = re.compile(r"[\\%?#\x00-\x1f\x7f]")
_DOTS_AND_SPACES = re.compile(r"[. ]+\Z")
# What JavaScript's String.prototype.trim strips (Python's str.strip() would
# also strip U+0085 and U+001C..U+001F, and so disagree with the backend).
_ECMA_TRIM = "".join(
    [
        "\t\n\x0b\x0c\r \xa0\u1680",
        *map(chr, range(0x2000, 0x200B)),
        "\u2028\u2029\u202f\u205f\u3000\ufeff",
    ]
)

# A segment of a relative key inside a namespace (pathSegment.ts `KEY`):
# `_` first for `_SUCCESS` and `_manifests`, `=` for Hive partitions.
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.=+-]{0,254}\Z")
_KEY_MAX = 255


def is_normalised(uri: object) -> bool:
    """Whether ``uri`` is in the one spelling this module can reason about."""
    if not isinstance(uri, str):
        return False
    match = _URI.match(uri)
    if not match:
        return False
    if (
        _FORBIDDEN.search(uri)
        or uri.strip(_ECMA_TRIM) != uri
        or unicodedata.normalize("NFKC", uri) != uri
    ):
        return False
    segments = match.group(3).split("/")[1:]
    last = len(segments) - 1
    # The last segment is empty for a prefix (`.../ci_1/`); no other may be.
    return all(
        (segment != "" or i == last) and not _DOTS_AND_SPACES.match(segment)
        for i, segment in enumerate(segments)
    )


def is_prefix(prefix: object) -> bool:
    """A normalised URI ending in ``/``."""
    return is_normalised(prefix) and isinstance(prefix, str) and prefix.endswith("/")


def is_within(prefix: str, uri: str) -> bool:
    """Whether ``uri`` is ``prefix`` itself or lies under it.

    Pure string logic on normalised URIs, and the match always ends on a
    ``/``, so ``.../ci_1/`` does not contain ``.../ci_10/x``. Never raises;
    anything odd is simply not within.
    """
    return is_prefix(prefix) and is_normalised(uri) and uri.startswith(prefix)


def scheme_of(uri: str) -> str:
    """``s3`` for ``s3://bucket/key``; raises for anything that is not a URI."""
    match = _URI.match(uri) if isinstance(uri, str) else None
    if not match:
        raise InvalidPathError(f"{uri!r} is not a URI of the form scheme://authority/path")
    return match.group(1)


def _key_segment_problem(segment: str) -> str | None:
    if segment == "":
        return "it is empty"
    if not segment.isascii():
        return "only ASCII characters are allowed"
    if segment in (".", ".."):
        return "it is a relative path"
    if "/" in segment or "\\" in segment:
        return "it contains a path separator"
    if "%" in segment:
        return "percent-encoding is not allowed"
    if len(segment) > _KEY_MAX:
        return f"it is longer than {_KEY_MAX} characters"
    # Windows drops a trailing dot, so `ci_1.` would be the folder `ci_1`.
    if segment.endswith("."):
        return "it ends with a dot"
    if not _KEY.match(segment):
        return f"it must match /^{_KEY.pattern[:-2]}$/"
    return None


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:80] + "…")


def resolve_within(prefix: str, relative_path: str) -> str:
    """Resolve a relative key such as ``orders/dt=2026-11-24/part-0.csv`` under a prefix.

    A trailing ``/`` names a sub-prefix. Absolute
    paths, URIs, ``..`` and every other trick are refused, so the result is
    always within ``prefix``.

    :raises InvalidPathError: naming the offending part
    """
    if not is_prefix(prefix):
        raise InvalidPathError(
            f"prefix {prefix!r} is not a normalised URI prefix: it must be scheme://.../ "
            'ending in "/", without ".", "..", empty segments, "\\", "%", "?" or "#"'
        )
    if not isinstance(relative_path, str):
        raise InvalidPathError(f"path must be a string, got {type(relative_path).__name__}")
    if relative_path == "":
        raise InvalidPathError("path is empty")
    if relative_path.startswith(("/", "\\")):
        raise InvalidPathError(f"path {_shown(relative_path)} must be relative to {prefix}")
    segments = relative_path.split("/")
    is_sub_prefix = segments[-1] == ""
    if is_sub_prefix:
        segments.pop()
    for segment in segments:
        problem = _key_segment_problem(segment)
        if problem:
            raise InvalidPathError(
                f"path {_shown(relative_path)}: segment {_shown(segment)} "
                f"is not a valid path segment: {problem}"
            )
    uri = prefix + "/".join(segments) + ("/" if is_sub_prefix else "")
    # Belt and braces: the segment rules above already guarantee this.
    if not is_within(prefix, uri):
        raise InvalidPathError(f"path {_shown(relative_path)} is not within {prefix}")
    return uri
