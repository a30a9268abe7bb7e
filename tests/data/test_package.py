"""The data package itself: descriptor, file format, identity, dates, codes, citations, content."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from scripts.model import cells
from scripts.model.package import Package, csv_text, load_package, read_rows
from scripts.validate.frames import read_package
from scripts.validate.provenance import provenance_problems
from tests.conftest import ROOT

REDUCED_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
CORE_TABLES = {"states", "persons", "meetings", "attendance", "documents", "indicators", "projects"}


def rows(package: Package, name: str) -> list[dict]:
    table = package.table(name)
    return [{f.name: cells.read_cell(f, raw[f.name]) for f in table.fields} for raw in read_rows(table)]


def by_key(package: Package, name: str) -> dict[str, dict]:
    table = package.table(name)
    return {table.record_key({k: v for k, v in r.items()}): r for r in rows(package, name)}


# ------------------------------------------------------------------ descriptor and schemas

def test_descriptor_carries_the_data_package_v2_metadata(package: Package) -> None:
    d = package.descriptor
    assert d["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert d["name"] == "central-asia-cooperation"
    assert re.fullmatch(r"\d+\.\d+\.\d+", d["version"])
    # The release date is stored once, as `created`, and the CHANGELOG dates the version with it.
    day = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T00:00:00Z", d["created"]).group(1)
    assert f"## [{d['version']}] - {day}\n" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert [lic["name"] for lic in d["licenses"]] == ["CC-BY-4.0"]
    for key in ("id", "title", "description", "contributors", "keywords", "sources"):
        assert d[key], key


def test_the_package_holds_the_core_link_and_provenance_tables(package: Package) -> None:
    names = set(package.tables)
    assert CORE_TABLES | {"sources", "citations"} <= names
    assert {"project_states", "document_signatories", "format_partners", "meeting_formats"} <= names


def test_every_field_has_a_title_and_a_description(package: Package) -> None:
    for table in package.tables.values():
        assert table.primary_key, table.name
        assert table.description, table.name
        for fld in table.fields:
            assert fld.title and fld.description, f"{table.name}.{fld.name}"


def test_every_id_field_is_a_key_or_a_foreign_key(package: Package) -> None:
    for table in package.tables.values():
        fk_fields = {f for fk in table.foreign_keys for f in fk.fields}
        for fld in table.fields:
            if fld.name.endswith("_id") and fld.name not in {"record_id"}:
                assert fld.name in table.primary_key or fld.name in fk_fields, f"{table.name}.{fld.name}"


def test_enums_are_documented_value_by_value(package: Package) -> None:
    for table in package.tables.values():
        for fld in table.fields:
            if fld.enum is None:
                continue
            labels = fld.labels
            assert list(labels) == [str(v) for v in fld.enum], f"{table.name}.{fld.name}"
            assert all(label.strip() for label in labels.values()), f"{table.name}.{fld.name}"


def test_frictionless_finds_the_package_valid() -> None:
    from frictionless import Package as FrictionlessPackage

    report = FrictionlessPackage(str(ROOT / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])


def test_the_official_frictionless_cli_reports_valid() -> None:
    import subprocess
    import sys

    cli = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(cli), "validate", "--json", "datapackage.json"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:]
    assert '"valid": true' in result.stdout


# ------------------------------------------------------------------ files

def test_csvs_are_canonical_utf8_lf_and_sorted_by_primary_key(package: Package) -> None:
    for table in package.tables.values():
        data = table.path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), table.name
        assert b"\r" not in data, table.name
        assert data.decode("utf-8") == csv_text(table, read_rows(table)), table.name


# ------------------------------------------------------------------ codes, dates, identity

def test_reduced_precision_dates_are_real_dates(package: Package) -> None:
    checked = 0
    for table in package.tables.values():
        for fld in table.fields:
            if not (fld.pattern or "").startswith("^[0-9]{4}(-"):
                continue
            for row in read_rows(table):
                text = row[fld.name]
                if not text:
                    continue
                year, month, day = REDUCED_DATE.fullmatch(text).groups()
                dt.date(int(year), int(month or 1), int(day or 1))
                checked += 1
    assert checked > 50


def test_one_row_per_meeting_and_per_name(package: Package) -> None:
    numbered = Counter((r["format_id"], r["ordinal"]) for r in rows(package, "meetings") if r["ordinal"])
    assert max(numbered.values()) == 1
    for name, fld in [("states", "name"), ("documents", "title"), ("projects", "name"), ("meeting_formats", "name")]:
        counts = Counter(str(r[fld]).casefold() for r in rows(package, name))
        assert max(counts.values()) == 1, name


# ------------------------------------------------------------------ provenance

def test_every_record_of_every_table_is_cited(package: Package) -> None:
    cited = {(r["table_name"], r["record_id"]) for r in read_rows(package.table("citations"))}
    for table in package.tables.values():
        if table.name == "citations":
            continue
        for row in read_rows(table):
            assert (table.name, table.record_key(row)) in cited, (table.name, table.record_key(row))


def check_provenance(package: Package, sources: Path) -> list:
    frames, problems = read_package(package)
    assert problems == []
    return provenance_problems(frames, sources)


def test_every_citation_is_proved_against_the_source_texts(package: Package, sources: Path) -> None:
    assert check_provenance(package, sources) == []


def test_the_proof_catches_a_value_missing_from_its_lines(package_copy: Path, sources: Path) -> None:
    path = package_copy / "tables" / "indicators.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",11.5,", ",12.5,"), encoding="utf-8")
    problems = check_provenance(load_package(package_copy), sources)
    assert [(p.rule, p.file, p.field, p.value) for p in problems] == [
        ("citation-value-missing", "tables/citations.csv", "field_name", "value")]


def test_no_sentence_of_a_source_is_copied_into_descriptions(package: Package, sources: Path) -> None:
    word = re.compile(r"[0-9a-z]+(?:['’][a-z]+)?")
    grams = set()
    for text in sources.glob("*.txt"):
        words = word.findall(text.read_text(encoding="utf-8").lower())
        grams.update(tuple(words[i : i + 8]) for i in range(len(words) - 7))
    for table in package.tables.values():
        prose = [f.name for f in table.fields if f.name in {"description", "inference_note", "name", "qualifier"}]
        for row in read_rows(table):
            for name in prose:
                words = word.findall(row[name].lower())
                copied = [w for w in zip(*(words[i:] for i in range(8)), strict=False) if w in grams]
                assert not copied, (table.name, table.record_key(row), name)


# ------------------------------------------------------------------ content (spot checks a reader can redo)

def test_the_five_central_asian_states_azerbaijan_and_partners(package: Package) -> None:
    states = by_key(package, "states")
    assert sorted(k for k, r in states.items() if r["is_central_asian"]) == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    assert {"AZE", "CHN", "RUS", "USA", "IND", "JPN", "KOR", "DEU", "ITA"} <= set(states)
    partners = {(r["format_id"], r["state_id"]) for r in rows(package, "format_partners")}
    assert {("ca-plus-japan", "JPN"), ("ca-plus-azerbaijan", "AZE"), ("china-central-asia", "CHN")} <= partners


def test_the_consultative_meetings_by_ordinal(package: Package) -> None:
    meetings = by_key(package, "meetings")
    sixth, seventh, fourth = (meetings[f"ca-consultative-{n}"] for n in (6, 7, 4))
    assert (sixth["city"], sixth["chair_state_id"], sixth["date_start"], sixth["status"]) == (
        "Astana", "KAZ", "2024-08", "held")
    assert (seventh["host_state_id"], seventh["is_host_inferred"]) == ("UZB", True)
    assert (seventh["date_start"], seventh["is_date_inferred"]) == ("2025", True)
    assert (fourth["country_id"], fourth["date_start"]) == ("KGZ", "2022-07")
    planned = meetings["ca-consultative-2026"]
    assert (planned["format_id"], planned["date_start"], planned["chair_state_id"], planned["status"]) == (
        "ca-plus-azerbaijan", "2026", "TKM", "planned")
    ordinals = sorted(m["ordinal"] for m in meetings.values() if m["format_id"] == "ca-consultative")
    assert ordinals == [1, 2, 3, 4, 5, 6, 7]


def test_expected_and_reported_attendance_are_kept_apart(package: Package) -> None:
    att = by_key(package, "attendance")
    assert att["ca-consultative-6/AZE/expected"]["person_id"] == "ilham-aliyev"
    assert att["ca-consultative-6/KAZ/reported"]["role"] == "chair"
    assert "ca-consultative-6/AZE/reported" not in att
    assert att["ca-plus-japan-1/JPN/expected"]["person_id"] == "fumio-kishida"


def test_the_2022_treaty_and_its_signatories(package: Package) -> None:
    signatories = by_key(package, "document_signatories")
    treaty = "treaty-friendship-central-asia-21st-century"
    status = {k.split("/")[1]: r["signature_status"] for k, r in signatories.items() if k.startswith(treaty)}
    assert status == {"KAZ": "signed", "KGZ": "signed", "UZB": "signed", "TJK": "expected", "TKM": "expected"}
    assert by_key(package, "documents")[treaty]["status"] == "signed"


def test_trade_figures_are_kept_as_each_source_reports_them(package: Package) -> None:
    trade = sorted((r["source_id"], r["value_kind"], r["value"], r["period_start"])
                   for r in rows(package, "indicators") if r["indicator_code"] == "intraregional_trade"
                   and r["scope"] == "region")
    assert trade == [
        ("src-000", "actual", 11.0, "2023"),
        ("src-001", "actual", 11.0, "2023"),
        ("src-001", "target", 15.0, None),
        ("src-003", "actual", 11.5, "2024"),
        ("src-003", "target", 20.0, None),
        ("src-004", "actual", 5.7, "2018"),
        ("src-004", "actual", 11.0, "2023"),
    ]
    gdp = by_key(package, "indicators")["gdp-region-2023-src-000"]
    assert (gdp["value"], gdp["unit"], gdp["scale"], gdp["is_approximate"], gdp["qualifier"]) == (
        450.0, "USD", "billion", True, "almost")


def test_descriptor_sources_agree_with_the_sources_table(package: Package) -> None:
    table = rows(package, "sources")
    assert [s["path"] for s in package.descriptor["sources"]] == [r["file_name"] for r in table]
    assert [s["version"] for s in package.descriptor["sources"]] == [f"sha256:{r['sha256']}" for r in table]
    assert [s["title"] for s in package.descriptor["sources"]] == [f"{r['title']} ({r['file_name']})" for r in table]


def test_readme_describes_every_table(package: Package) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in package.tables:
        assert f"| `{name}` |" in readme, name


def test_citation_file_and_descriptor_carry_the_same_version(package: Package) -> None:
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf'^version: "?{re.escape(package.version)}"?$', cff, re.M), "CITATION.cff version"
