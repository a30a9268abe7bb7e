"""The static site: structure (every table and meeting has a linked page), citations on meeting
pages point at the right source lines, output is deterministic, and hostile values are escaped.
Expected values are read from the CSVs with the csv module, independently of the generator."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scripts.cli import main as cli_main
from scripts.site import build_site, names, render_site
from scripts.site.model import slug
from scripts.site.svg import parse_span

ROOT = Path(__file__).resolve().parents[2]
KNOWN_MEETING = "ca-consultative-6"
KNOWN_TABLE = "attendance"
KNOWN_PERSON = "Kassym-Jomart Tokayev"
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
VOID = {"meta", "link", "input", "br", "img", "hr", "col", "source", "wbr"}


class Page(HTMLParser):
    """Collects links and, for every element with an id, its text content."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None, list[str]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("href") is not None:
            self.hrefs.append(found["href"] or "")
        if tag not in VOID:
            self._open.append((tag, found.get("id"), []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, ident, parts = self._open.pop()
            if ident:
                self.text_by_id[ident] = "".join(parts)
            if self._open:
                self._open[-1][2].extend(parts)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def _csv(root: Path, table: str) -> list[dict[str, str]]:
    with (root / "tables" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _resources(root: Path) -> list[dict]:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["resources"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("site") / "site"
    build_site(ROOT, dest)
    return dest


def _page(site: Path, rel: str) -> Page:
    return Page((site / rel).read_text(encoding="utf-8"))


def test_index_links_every_table_page(site: Path) -> None:
    index = _page(site, "index.html")
    for resource in _resources(ROOT):
        rel = f"tables/{resource['name']}.html"
        assert rel in index.hrefs
        text = (site / rel).read_text(encoding="utf-8")
        rows = len(_csv(ROOT, resource["name"]))
        assert text.count("<tr id=") == rows, rel
        assert "<caption>" in text and '<th scope="col"' in text
        assert re.search(r'<label for="filter-[^"]+">', text), rel


def test_every_meeting_has_a_linked_page(site: Path) -> None:
    index = _page(site, "index.html")
    ids = [row["meeting_id"] for row in _csv(ROOT, names.MEETINGS)]
    assert ids
    for meeting in ids:
        assert f"meetings/{meeting}.html" in index.hrefs
        assert (site / "meetings" / f"{meeting}.html").is_file()
    assert sorted(p.stem for p in (site / "meetings").iterdir()) == sorted(ids)


def test_meeting_page_cites_attendance_at_the_right_lines(site: Path) -> None:
    html = (site / "meetings" / f"{KNOWN_MEETING}.html").read_text(encoding="utf-8")
    page = Page(html)
    section = html.split(f'aria-labelledby="s-{KNOWN_TABLE}-meeting_id"', 1)[1].split("</section>", 1)[0]
    attendance = [r for r in _csv(ROOT, KNOWN_TABLE) if r["meeting_id"] == KNOWN_MEETING]
    assert section.count("<tr>") == len(attendance) + 1  # + the header row
    assert KNOWN_PERSON in section
    files = {r["source_id"]: r["file_name"] for r in _csv(ROOT, names.SOURCES)}
    cites = [c for c in _csv(ROOT, names.CITATIONS)
             if c["table_name"] == KNOWN_TABLE and c["record_id"].startswith(f"{KNOWN_MEETING}/")]
    assert cites
    for cite in cites:
        assert f'href="#cite-{cite["citation_id"]}"' in section
        note = page.text_by_id[f"cite-{cite['citation_id']}"]
        lines = (f"line {cite['line_start']}" if cite["line_start"] == cite["line_end"]
                 else f"lines {cite['line_start']}–{cite['line_end']}")
        assert note.startswith(f"{files[cite['source_id']]}, {lines}, support: {cite['support']}"), note


def test_every_page_is_well_formed_and_every_link_lands(site: Path) -> None:
    pages = {path.resolve(): path.read_text(encoding="utf-8") for path in sorted(site.rglob("*.html"))}
    ids = {path: re.findall(r'\sid="([^"]+)"', text) for path, text in pages.items()}
    for path, text in pages.items():
        assert len(ids[path]) == len(set(ids[path])), (path, [i for i in ids[path] if ids[path].count(i) > 1])
        assert text.startswith("<!DOCTYPE html>") and '<html lang="en">' in text
        assert text.count("<h1>") == 1, path
        assert "Content-Security-Policy" in text
        for href, fragment in re.findall(r'href="([^"#:]*)(?:#([^"]*))?"', text):
            target = (path.parent / href).resolve() if href else path
            assert target.is_file(), (path, href)
            if fragment and target in ids:
                assert unescape(fragment) in ids[target], (path, href, fragment)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = build_site(ROOT, tmp_path / "a")
    second = build_site(ROOT, tmp_path / "b")
    rel_a = {p.relative_to(tmp_path / "a").as_posix(): p.read_bytes() for p in first}
    rel_b = {p.relative_to(tmp_path / "b").as_posix(): p.read_bytes() for p in second}
    assert rel_a == rel_b
    on_disk = sorted(p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert on_disk == sorted(rel_a)


def test_hostile_values_are_escaped(package_copy: Path, tmp_path: Path) -> None:
    rows = _csv(package_copy, names.MEETINGS)
    for row in rows:
        if row["meeting_id"] == KNOWN_MEETING:
            row["name"] = HOSTILE
    with (package_copy / "tables" / "meetings.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["licenses"][0]["path"] = "javascript:alert(1)"
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    files = render_site(package_copy)
    assert "javascript:" not in files["index.html"].decode("utf-8")
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"
    for rel in ("index.html", f"meetings/{KNOWN_MEETING}.html", "tables/meetings.html", "timeline.html"):
        assert escaped in files[rel].decode("utf-8"), rel
    for rel, payload in files.items():
        text = payload.decode("utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, rel
        assert re.findall(r"<script(?![^>]*\bsrc=)", text) == [], rel
        assert " onerror=" not in text.replace("onerror=alert(1)&gt;", ""), rel


def test_a_new_table_pointing_at_meetings_gets_pages(package_copy: Path) -> None:
    schema = {"fields": [{"name": "note_id", "type": "string", "title": "Note ID"},
                         {"name": "meeting_id", "type": "string", "title": "Meeting"},
                         {"name": "text", "type": "string", "title": "Text", "description": "What was noted."}],
              "primaryKey": ["note_id"],
              "foreignKeys": [{"fields": ["meeting_id"],
                               "reference": {"resource": "meetings", "fields": ["meeting_id"]}}]}
    (package_copy / "schemas" / "notes.json").write_text(json.dumps(schema), encoding="utf-8")
    (package_copy / "tables" / "notes.csv").write_text(
        f"note_id,meeting_id,text\nn1,{KNOWN_MEETING},Noted in a test\n", encoding="utf-8")
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append({"name": "notes", "title": "Notes", "path": "tables/notes.csv",
                                    "schema": "schemas/notes.json"})
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    files = render_site(package_copy)
    assert 'href="tables/notes.html"' in files["index.html"].decode("utf-8")
    meeting = files[f"meetings/{KNOWN_MEETING}.html"].decode("utf-8")
    assert '<h2 id="s-notes-meeting_id">Notes</h2>' in meeting
    assert "Noted in a test" in meeting
    assert "What was noted." in files["tables/notes.html"].decode("utf-8")


def test_trade_chart_labels_every_point_with_its_source(site: Path) -> None:
    text = (site / "trade.html").read_text(encoding="utf-8")
    svg = text.split("<svg", 1)[1].split("</svg>", 1)[0]
    labels = re.findall(r'<text class="source-label"[^>]*>([^<]+)</text>', svg)
    expected = [r[names.IND_SOURCE] for r in _csv(ROOT, names.INDICATORS)
                if r[names.IND_CODE] in names.TRADE_INDICATORS and r[names.IND_UNIT] == "USD"]
    assert expected
    assert Counter(labels) == Counter(expected)


def test_timeline_draws_every_dated_meeting(site: Path) -> None:
    text = (site / "timeline.html").read_text(encoding="utf-8")
    svg = text.split("<svg", 1)[1].split("</svg>", 1)[0]
    dated = sorted(r["meeting_id"] for r in _csv(ROOT, names.MEETINGS) if r[names.MEETING_DATE_START])
    assert sorted(re.findall(r'<a href="meetings/([^"]+)\.html">', svg)) == dated
    assert 'role="img"' in text and "<title id=" in svg


def test_dates_are_read_at_their_precision() -> None:
    year, month, day = parse_span("2024"), parse_span("2024-12"), parse_span("2024-08-09", "2024-08-10")
    assert (year.precision, str(year.start), str(year.end)) == ("year", "2024-01-01", "2025-01-01")
    assert (month.precision, str(month.start), str(month.end)) == ("month", "2024-12-01", "2025-01-01")
    assert (day.precision, str(day.start), str(day.end), day.text) == (
        "day", "2024-08-09", "2024-08-11", "2024-08-09 to 2024-08-10")
    assert parse_span("") is None and parse_span("August") is None


def test_rebuild_replaces_the_old_site_and_leaves_no_temp(tmp_path: Path) -> None:
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / "stale.html").write_text("old", encoding="utf-8")
    build_site(ROOT, dest)
    assert not (dest / "stale.html").exists()
    assert (dest / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def main(argv: list[str]) -> int:
    """The site verb of the one command line: ROOT, then the folder to write."""
    return cli_main(["site", argv[0], "--output", argv[1]])


def test_the_site_verb_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(ROOT), str(tmp_path / "ok")]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main([str(tmp_path / "missing"), str(tmp_path / "no")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "datapackage.json" in err and "Traceback" not in err
    assert not (tmp_path / "no").exists()


def test_a_trade_value_that_is_not_a_number_is_one_line_naming_the_cell(
        package_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _csv(package_copy, names.INDICATORS)
    target = next(r for r in rows if r[names.IND_CODE] in names.TRADE_INDICATORS and r[names.IND_UNIT] == "USD")
    target[names.IND_VALUE] = "lots"
    with (package_copy / "tables" / "indicators.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert main([str(package_copy), str(tmp_path / "site")]) == 1
    assert capsys.readouterr().err == (f"error: indicators.csv: record {target['observation_id']}, field value: "
                                       "'lots' is not a number (rule: type-error); run validate\n")
    assert not (tmp_path / "site").exists()


def test_a_package_without_a_homepage_cannot_be_cited(
        package_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    del descriptor["homepage"]
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert main([str(package_copy), str(tmp_path / "site")]) == 1
    assert capsys.readouterr().err == ("error: datapackage.json has no top-level 'homepage' "
                                       "(needed to cite the dataset)\n")


def _meta_description(text: str) -> list[str]:
    return [unescape(d) for d in re.findall(r'<meta name="description" content="([^"]*)">', text)]


def test_every_page_has_a_description_for_search_engines(site: Path) -> None:
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    for path in pages:
        [description] = _meta_description(path.read_text(encoding="utf-8"))
        assert 20 <= len(description) <= 300 and "\n" not in description, path
    [index] = _meta_description((site / "index.html").read_text(encoding="utf-8"))
    assert index == " ".join(descriptor["description"].split())[:299].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    [meetings] = _meta_description((site / "tables" / "meetings.html").read_text(encoding="utf-8"))
    assert meetings.startswith("Meetings: ")
    [sixth] = _meta_description((site / "meetings" / f"{KNOWN_MEETING}.html").read_text(encoding="utf-8"))
    assert "(August 2024, Astana)" in sixth


def test_dates_are_shown_in_words(site: Path) -> None:
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    index = (site / "index.html").read_text(encoding="utf-8")
    assert descriptor["created"] == "2026-11-30T00:00:00Z"
    assert "<dt>Released</dt><dd><time datetime=\"2026-11-30\">30 November 2026</time></dd>" in index
    assert descriptor["created"] not in index
    assert "Central Asia + Japan" in index and "(9–10 August 2024)" in index  # a two-day meeting
    sixth = (site / "meetings" / f"{KNOWN_MEETING}.html").read_text(encoding="utf-8")
    assert '<time datetime="2024-08">August 2024</time>' in sixth


def _row_cells(text: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', text, re.S).group(1)  # type: ignore[union-attr]
    return re.findall(r"<td[^>]*>.*?</td>", row, re.S)


def test_key_cells_link_to_their_records_and_do_not_wrap(site: Path) -> None:
    meetings = (site / "tables" / "meetings.html").read_text(encoding="utf-8")
    for row in _csv(ROOT, names.MEETINGS):
        first = _row_cells(meetings, f"r-{row['meeting_id']}")[0]
        assert first == (f'<td class="key"><a href="../meetings/{row["meeting_id"]}.html">'
                         f'{row["meeting_id"]}</a></td>')
    sixth = _row_cells(meetings, f"r-{KNOWN_MEETING}")
    assert '<td class="key"><a href="../tables/states.html#r-KAZ">KAZ</a></td>' in sixth  # a foreign key
    citations = (site / "tables" / "citations.html").read_text(encoding="utf-8")
    cite = next(c for c in _csv(ROOT, names.CITATIONS) if c["table_name"] == KNOWN_TABLE)
    cells = _row_cells(citations, f"r-{cite['citation_id']}")
    anchor = f"r-{slug(cite['record_id'])}"  # a composite key, made safe for a fragment
    assert f'<td class="key"><a href="../tables/{KNOWN_TABLE}.html#{anchor}">' \
           f'{cite["record_id"]}</a></td>' in cells  # the record a citation supports
    target = (site / "tables" / f"{KNOWN_TABLE}.html").read_text(encoding="utf-8")
    assert f'<tr id="{anchor}">' in target


def test_every_figure_shows_its_unit_and_scale(site: Path) -> None:
    page = (site / "tables" / "indicators.html").read_text(encoding="utf-8")
    shown = {}
    for row in _csv(ROOT, names.INDICATORS):
        cells = _row_cells(page, f"r-{row['observation_id']}")
        [value] = [c for c in cells if 'class="figure"' in c]
        shown[row["observation_id"]] = value
        assert f'data-sort="{row["value"]}"' in value  # sorts by the number
    assert shown["bilateral-trade-kaz-chn-2024-01-2024-10-src-002"].endswith(">36.5 billion USD</td>")
    assert shown["trucks-dispatched-chn-2024-12-01-src-002"].endswith(">5,000</td>")
    growth = next(k for k in shown if k.startswith("intraregional-trade-growth-kaz-2023"))
    assert shown[growth].endswith(">26.8%</td>")
    meeting = (site / "meetings" / "kaz-chn-talks-2024-12-01.html").read_text(encoding="utf-8")
    assert "36.5 billion USD" in meeting


def test_the_leaders_page_lists_heads_of_state_and_government(site: Path) -> None:
    page = (site / "leaders.html").read_text(encoding="utf-8")
    offices = {r["office_id"]: r["office_kind"] for r in _csv(ROOT, "offices")}
    expected = sorted((m["state_id"], m["person_id"], m["office_id"]) for m in _csv(ROOT, "memberships")
                       if offices[m["office_id"]] in ("head_of_state", "head_of_government"))
    shown = re.findall(r'<tr id="leader-([a-z0-9-]+)\.([a-z0-9-]+)">', page)
    assert shown == [(p, o) for _, p, o in expected] and len(shown) == 7
    assert 'href="tables/persons.html#r-fumio-kishida">Fumio Kishida</a>' in page
    assert "leaders.html" in _page(site, "index.html").hrefs


def test_a_site_built_alone_lists_the_downloads_by_name(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert main([str(ROOT), str(tmp_path / "site")]) == 0
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    section = index.split('<h2 id="downloads">', 1)[1].split("</section>", 1)[0]
    base = descriptor["cac:download_base"].replace("{version}", descriptor["version"])
    name = descriptor["name"]
    files = [f"{name}-{descriptor['version']}.zip", f"{name}.xlsx", f"{name}.sqlite", "datapackage.json",
             *(f"{r['name']}{s}" for r in _resources(ROOT) for s in (".csv", ".parquet")),
             "data-dictionary.md", "erd.svg"]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', section) == [(base + f, f) for f in files]
    assert "sizes and SHA-256 digests are shown once a release" in section
    assert "SHA-256</th>" not in section  # no empty columns without a release
    assert "<td class=\"open\">Excel or LibreOffice Calc (a Read me sheet first)</td>" in section


def test_the_index_embeds_the_json_ld_escaped(package_copy: Path, tmp_path: Path) -> None:
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["title"] = 'Data </script><script>alert(1)</script> & more'
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert main([str(package_copy), str(tmp_path / "site")]) == 0
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    [block] = re.findall(r'<script type="application/ld\+json">\n(.*?)\n</script>', index, re.S)
    assert "<" not in block and "&" not in block and "\\u003c/script\\u003e" in block
    data = json.loads(block)
    assert (data["@type"], data["name"], data["version"]) == ("Dataset", descriptor["title"], descriptor["version"])
    assert index.count("<script") == 2  # site.js and the data block, nothing from the title
    for path in (tmp_path / "site").rglob("*.html"):
        if path.name != "index.html":
            assert "application/ld+json" not in path.read_text(encoding="utf-8")
