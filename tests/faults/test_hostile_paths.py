"""Hostile paths, end to end: resource paths that climb out, are absolute, are URLs or are symlinks
leaving the package; a table that is a symlink to a system file; a zip bomb given to ``diff``.

Before: ``import`` wrote the workbook's table to ``../../somewhere/states.csv`` (its scratch copy
kept the ``..``) before validation refused the descriptor; a symlinked table was validated and
shipped, and a link to a system file printed its lines in the report; ``diff`` unpacked a 4 MB zip
into 4 GB of the system's temporary directory."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest

from scripts.release import refs
from tests.faults.support import cli, leftovers, tables

HOSTILE = {  # resource path -> the words validate and import use for it
    "../../x/states.csv": "climbs out with '..'",
    "tables/../../x/states.csv": "climbs out with '..'",
    "ABSOLUTE": "is absolute",
    "https://example.org/states.csv": "is a URL",
}


def _point_states_at(root: Path, path: str) -> None:
    descriptor = root / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    next(r for r in data["resources"] if r["name"] == "states")["path"] = path
    descriptor.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("path", HOSTILE)
def test_a_hostile_resource_path_is_refused_and_import_writes_nothing_outside(pkg: Path, exported: Path,
                                                                             tmp_path: Path, capsys,
                                                                             path: str) -> None:
    outside = tmp_path / "x"  # where ../../x/states.csv from pkg/tables would land
    value = str(outside / "states.csv") if path == "ABSOLUTE" else path
    _point_states_at(pkg, value)
    before = tables(pkg)
    code, out, err = cli(capsys, "import", exported, pkg, "--no-provenance")
    assert (code, out) == (2, "")
    assert err == f"error: datapackage.json: resource 'states': its path {value!r} {HOSTILE[path]}" + \
        err.split(HOSTILE[path], 1)[1]
    assert len(err.splitlines()) == 1
    assert _files_under(outside) == [] and not (tmp_path.parent / "x").exists()
    assert tables(pkg) == before and leftovers(pkg) == []
    code, out, _ = cli(capsys, "validate", pkg, "--no-provenance")
    assert code == 1
    assert f"[unsafe-path] resource 'states': its path {value!r} {HOSTILE[path]}" in out
    assert "the file was not read" in out


def test_a_symlink_leaving_the_package_is_refused_and_import_writes_nothing_through_it(pkg: Path, exported: Path,
                                                                                      tmp_path: Path,
                                                                                      capsys) -> None:
    outside = tmp_path / "outside.csv"
    link = pkg / "tables" / "states.csv"
    outside.write_bytes(link.read_bytes())
    link.unlink()
    link.symlink_to(outside)
    before = outside.read_bytes()
    code, out, err = cli(capsys, "import", exported, pkg, "--no-provenance")
    assert (code, out) == (2, "")
    assert err == ("error: datapackage.json: resource 'states': its path 'tables/states.csv' is a symbolic link "
                   "leading outside the package\n")
    assert outside.read_bytes() == before and link.is_symlink()
    code, out, _ = cli(capsys, "validate", pkg, "--no-provenance")
    assert code == 1 and "[unsafe-path] resource 'states'" in out


def test_a_table_linked_to_a_system_file_is_never_printed(pkg: Path, capsys) -> None:
    system = Path("/etc/passwd")
    if not system.is_file():
        pytest.skip("no /etc/passwd to link to")
    lines = [line for line in system.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    link = pkg / "tables" / "states.csv"
    link.unlink()
    link.symlink_to(system)
    for fmt in ("text", "json"):
        code, out, err = cli(capsys, "validate", pkg, "--no-provenance", "--format", fmt)
        assert code == 1
        assert "unsafe-path" in out and "symbolic link leading outside the package" in out
        assert not any(line in out + err for line in lines)
    code, out, err = cli(capsys, "release", pkg, "--no-provenance")
    assert (code, out) == (2, "")
    assert err == f"error: tables/states.csv lies outside {pkg.resolve()}; only files inside the package are used\n"
    assert not (pkg / "dist").exists()


def _bomb(path: Path, size: int) -> Path:
    """A valid-looking release zip whose one data member inflates ``size`` zero bytes (~1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/datapackage.json", "{}")
        with zf.open("pkg/tables/states.csv", "w") as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    return path


@pytest.mark.parametrize("verb", ["diff", "release --previous"])
def test_a_zip_bomb_is_refused_before_anything_is_unpacked(pkg: Path, tmp_path: Path, capsys,
                                                           monkeypatch: pytest.MonkeyPatch, verb: str) -> None:
    """The caps are lowered to 1 MiB so that a 4 MiB member proves the bound without writing gigabytes;
    the real caps (refs.MAX_MEMBER, refs.MAX_UNPACKED) are checked the same way."""
    monkeypatch.setattr(refs, "MAX_MEMBER", 1 << 20)
    monkeypatch.setattr(refs, "MAX_UNPACKED", 2 << 20)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    bomb = _bomb(tmp_path / "bomb.zip", 4 << 20)
    assert os.path.getsize(bomb) < 16 << 10
    argv = ["diff", bomb, pkg] if verb == "diff" else ["release", pkg, "--previous", bomb, "--no-provenance"]
    code, out, err = cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and "refused" in err and "unpacks to 4,194,304 bytes" in err, err
    assert _files_under(scratch) == [] and not (pkg / "dist").exists() and leftovers(pkg) == []
