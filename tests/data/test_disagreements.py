"""docs/disagreements.md: every query in it runs on the release's SQLite and gives the result shown.

The database is built by the release's own code (scripts.release.sqlite.build_sqlite) from the
committed tables, so the queries are tested against what readers download. Each ```sql block is
followed by its result as a markdown table; the test renders the query's output the same way
and compares, so the page cannot go stale. The expected findings are also pinned here, so a
data change that adds or removes a disagreement fails until it is explained in the page.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.model.meta import package_meta
from scripts.model.package import load_package, read_rows
from scripts.release.sqlite import build_sqlite
from tests.conftest import ROOT

DOC = ROOT / "docs" / "disagreements.md"
SQL = re.compile(r"```sql\n(.*?)```\n+(\|.*?)(?:\n\n|\Z)", re.S)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    package = load_package(ROOT)
    dest = Path(tmp_path_factory.mktemp("sqlite")) / "release.sqlite"
    build_sqlite(package, {t.name: read_rows(t) for t in package.tables.values()}, package_meta(package), {}, dest)
    conn = sqlite3.connect(dest)
    yield conn
    conn.close()


def sections() -> list[tuple[str, str]]:
    """(query, result table) of each ```sql block of the page, in order."""
    return SQL.findall(DOC.read_text(encoding="utf-8"))


def render(cursor: sqlite3.Cursor) -> str:
    """A query's output as the page shows it: a markdown table, NULL as an empty cell."""
    names = [d[0] for d in cursor.description]
    rows = [["" if v is None else str(v) for v in row] for row in cursor.fetchall()]
    lines = ["| " + " | ".join(names) + " |", "|" + " --- |" * len(names)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def run(db: sqlite3.Connection, index: int) -> list[tuple]:
    return db.execute(sections()[index][0]).fetchall()


def test_the_page_has_its_queries() -> None:
    assert len(sections()) == 3


@pytest.mark.parametrize("index", range(3))
def test_each_query_shows_its_current_result(db: sqlite3.Connection, index: int) -> None:
    query, shown = sections()[index]
    assert render(db.execute(query)) == shown.strip()


def test_figures_growth_that_does_not_match_its_levels(db: sqlite3.Connection) -> None:
    growth = ("growth does not match levels", "intraregional_trade_growth", "region", "-", "-", "2018", "2023",
              "intraregional-trade-growth-region-2018-2023-src-000", "src-000", 80.0)
    assert run(db, 0) == [
        (*growth, f"intraregional-trade-region-2018-src-004 -> intraregional-trade-region-2023-{s}",
         f"src-004 -> {s}", 93.0)
        for s in ("src-000", "src-001", "src-004")
    ]


def test_one_document_two_names(db: sqlite3.Connection) -> None:
    assert [row[:3] for row in run(db, 1)] == [
        ("concept-central-asia-2040", "src-001", "verbatim"),
        ("concept-central-asia-2040", "src-004", "paraphrase"),
    ]


def test_one_attendance_two_claims(db: sqlite3.Connection) -> None:
    assert run(db, 2) == [("ca-consultative-6", "KAZ", "host", "chair", "kassym-jomart-tokayev",
                           "kassym-jomart-tokayev")]
