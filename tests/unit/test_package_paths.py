"""scripts/model/package.py's reading of a path as written in a descriptor (a stranger's): every
form that is not a plain relative path inside the package is refused in words, before any file is
touched; plain ones pass."""

from __future__ import annotations

import pytest

from scripts.model.package import _path_syntax_problem


@pytest.mark.parametrize(("path", "problem"), [
    ("tables/a.csv", None),
    ("a", None),
    ("ab:c.csv", None),                       # a colon past the second character is a name's own
    ("..a/b.csv", None),                      # dots inside a name do not climb
    ("", "its path is not a relative file path"),
    (None, "its path is not a relative file path"),
    (["tables/a.csv"], "its path is not a relative file path"),
    ("https://example.org/a.csv", "its path 'https://example.org/a.csv' is a URL; the package reads local files only"),
    ("s3://bucket/a.csv", "its path 's3://bucket/a.csv' is a URL; the package reads local files only"),
    ("http:a.csv", "its path 'http:a.csv' is a URL; the package reads local files only"),
    ("https:a.csv", "its path 'https:a.csv' is a URL; the package reads local files only"),
    ("ftp:a.csv", "its path 'ftp:a.csv' is a URL; the package reads local files only"),
    ("file:a.csv", "its path 'file:a.csv' is a URL; the package reads local files only"),
    ("data:text/csv,a", "its path 'data:text/csv,a' is a URL; the package reads local files only"),
    ("/etc/passwd", "its path '/etc/passwd' is absolute; give a path relative to the package folder"),
    ("\\\\host\\share", "its path '\\\\\\\\host\\\\share' is absolute; give a path relative to the package folder"),
    ("C:", "its path 'C:' is absolute; give a path relative to the package folder"),
    ("C:x.csv", "its path 'C:x.csv' is absolute; give a path relative to the package folder"),
    ("tables/../../x.csv", "its path 'tables/../../x.csv' climbs out with '..'; keep files inside the package folder"),
    ("tables\\..\\x.csv",
     "its path 'tables\\\\..\\\\x.csv' climbs out with '..'; keep files inside the package folder"),
])
def test_a_path_as_written_is_refused_unless_plainly_relative(path: object, problem: str | None) -> None:
    assert _path_syntax_problem(path) == problem
