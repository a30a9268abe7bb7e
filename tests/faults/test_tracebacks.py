"""No traceback reaches a user, and the exit code says which kind of failure it was: a missing
table file, a resource without a path, and Latin-1 bytes given to export each give one plain line
(exit 2 when the command cannot run, 1 when the data is invalid), and nothing is written.

Before: each of these printed a Python traceback and exited 1, like invalid data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.support import cli, leftovers, tables


def _one_line(err: str) -> str:
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "internal error" not in err, err
    return err


@pytest.mark.parametrize("verb", ["validate", "import", "export", "release"])
def test_a_missing_table_file_is_exit_2(pkg: Path, exported: Path, tmp_path: Path, capsys, verb: str) -> None:
    (pkg / "tables" / "states.csv").unlink()
    argv = {"validate": ["validate", pkg, "--no-provenance"],
            "import": ["import", exported, pkg, "--no-provenance"],
            "export": ["export", pkg, "--output", tmp_path / "out.xlsx"],
            "release": ["release", pkg, "--no-provenance"]}[verb]
    before = tables(pkg)
    code, out, err = cli(capsys, *argv)
    assert code == 2
    if verb == "validate":  # the report names the file; nothing else could be checked in it
        assert "[missing-file] tables/states.csv is listed in datapackage.json but does not exist" in out
    else:
        assert out == ""
        assert _one_line(err) == (f"error: cannot use {pkg}/tables/states.csv: no such file or directory "
                                  "(check the path)\n")
    assert tables(pkg) == before and leftovers(pkg) == []
    assert not (tmp_path / "out.xlsx").exists() and not (pkg / "dist").exists()


@pytest.mark.parametrize("verb", ["validate", "import"])
def test_a_resource_without_a_path_is_one_line_and_exit_2(pkg: Path, exported: Path, capsys, verb: str) -> None:
    descriptor = pkg / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    del next(r for r in data["resources"] if r["name"] == "states")["path"]
    descriptor.write_text(json.dumps(data, indent=2), encoding="utf-8")
    argv = ["validate", pkg] if verb == "validate" else ["import", exported, pkg]
    code, out, err = cli(capsys, *argv, "--no-provenance")
    assert (code, out) == (2, "")
    assert _one_line(err) == "error: datapackage.json: resource 'states' needs name, path and schema\n"


def test_latin_1_bytes_on_export_are_one_line_and_exit_1(pkg: Path, tmp_path: Path, capsys) -> None:
    path = pkg / "tables" / "states.csv"
    path.write_bytes(path.read_bytes().replace(b"DEU,Germany,", "DEU,Germanyé,".encode("latin-1")))
    code, out, err = cli(capsys, "export", pkg, "--output", tmp_path / "out.xlsx")
    assert (code, out) == (1, "")
    assert _one_line(err) == ("error: states.csv: byte b'\\xe9' is not UTF-8 text (save the file as UTF-8); "
                              "run validate to find the row\n")
    assert not (tmp_path / "out.xlsx").exists() and list(tmp_path.glob(".out.xlsx*")) == []
    code, out, err = cli(capsys, "validate", pkg, "--no-provenance")
    assert code == 1 and "row 4" in out and "[encoding-error]" in out
