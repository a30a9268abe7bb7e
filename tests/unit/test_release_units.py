"""Small parts of the release: version arithmetic and the files bump edits, the ERD, CITATION.cff,
range parsing and the bounded extraction of zips given to ``diff``."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from scripts.model.meta import meta_from_descriptor
from scripts.model.package import PackageError, load_package
from scripts.release import version
from scripts.release.erd import render_erd_svg
from scripts.release.generated import citation_cff
from scripts.release.refs import open_version, split_range
from tests.conftest import ROOT


def test_next_version() -> None:
    assert [version.next_version("0.1.9", p) for p in ("major", "minor", "patch")] == ["1.0.0", "0.2.0", "0.1.10"]
    with pytest.raises(PackageError, match=r"not MAJOR\.MINOR\.PATCH"):
        version.next_version("0.1", "minor")


def test_descriptor_edit_changes_only_version_and_date() -> None:
    text = (ROOT / "datapackage.json").read_text(encoding="utf-8")
    new = version.set_descriptor_version(text, "7.8.9", "2027-01-15")
    old_lines, new_lines = text.splitlines(), new.splitlines()
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert [b for _, b in changed] == ['  "version": "7.8.9",', '  "created": "2027-01-15T00:00:00Z",']


def test_pyproject_and_readme_edits() -> None:
    toml = '[project]\nname = "x"\nversion = "1.4.0"\n\n[tool.x]\nversion = "keep"\n'
    assert version.set_pyproject_version(toml, "1.5.0") == toml.replace('"1.4.0"', '"1.5.0"')
    readme = "Version 1.4.0 · CC BY\n(version 1.4.0) [Data set]\npandas 1.4.0\n"
    assert version.set_readme_version(readme, "1.4.0", "1.5.0") == \
        "Version 1.5.0 · CC BY\n(version 1.5.0) [Data set]\npandas 1.4.0\n"


def test_changelog_unreleased_becomes_the_version() -> None:
    text = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\nFixed a date.\n\n## [1.4.0] - 2026-11-23\n\nFirst.\n"
    assert version.changelog_section(text, "1.5.0", "2027-01-15", "Data changes since 1.4.0: 1 added.") == (
        "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [1.5.0] - 2027-01-15\n\n"
        "Data changes since 1.4.0: 1 added.\n\nFixed a date.\n\n## [1.4.0] - 2026-11-23\n\nFirst.\n")


def test_citation_cff_keeps_the_licence_and_the_organisation() -> None:
    meta = meta_from_descriptor(json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8")))
    data = yaml.safe_load(citation_cff(meta))
    assert (data["license"], data["version"], data["date-released"]) == ("CC-BY-4.0", meta.version, meta.date)
    assert data["authors"] == [{"name": "Central Asia Cooperation Dataset maintainers"}]
    assert data["type"] == "dataset" and data["url"] == meta.homepage


def test_erd_draws_every_table_and_key_and_is_deterministic() -> None:
    package = load_package(ROOT)
    svg = render_erd_svg(package)
    assert svg == render_erd_svg(load_package(ROOT))
    for table in package.tables.values():
        assert f'<g id="table-{table.name}">' in svg
        for fk in table.foreign_keys:
            assert f"<title>{table.name}.{', '.join(fk.fields)} → {fk.resource}." in svg
    import xml.etree.ElementTree as ET

    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"


def test_split_range() -> None:
    assert split_range("v1.2.3..HEAD") == ("v1.2.3", "HEAD")
    assert split_range("v1.2.3") is None
    assert split_range("..HEAD") is None


def test_a_zip_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("datapackage.json", "{}")
        with zf.open("tables/big.csv", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(100):  # 100 MiB of zeros in 0.1 MB, past the 64 MiB member cap
                member.write(chunk)
    assert bomb.stat().st_size < 4 << 20
    started = time.perf_counter()
    with pytest.raises(PackageError, match="refused"), open_version(bomb):
        pass
    assert time.perf_counter() - started < 5
    assert not list(tmp_path.glob("cac-version-*"))


def test_a_zip_without_a_package_is_one_clear_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("notes.txt", "hello")
    plain.write_bytes(buffer.getvalue())
    with pytest.raises(PackageError, match=r"no datapackage\.json in the zip"), open_version(plain):
        pass
