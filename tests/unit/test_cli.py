"""One parser, the same options everywhere, exit codes, and no traceback for any failure."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import cli, crashlog
from tests.conftest import ROOT


def options(verb: str) -> set[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "verb").choices[verb]
    return {o for a in sub._actions for o in a.option_strings} | {a.dest for a in sub._actions if not a.option_strings}


def test_every_verb_has_a_handler_and_the_shared_options_are_alike() -> None:
    assert set(cli.VERBS) == set(cli.HANDLERS)
    for verb in ("validate", "import", "release"):
        assert {"--sources", "--no-provenance", "--format", "root"} <= options(verb), verb
    assert "--format" in options("diff")


def test_help_explains_each_verb(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for verb in cli.VERBS:
        assert f"    {verb}" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["frobnicate"])
    assert done.value.code == 2
    with pytest.raises(SystemExit) as done:
        cli.main(["validate", "--format", "xml"])
    assert done.value.code == 2


def test_sources_default_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAC_SOURCES", str(tmp_path))
    args = cli.build_parser().parse_args(["validate", str(ROOT)])
    assert cli.resolve_sources(args, []) == tmp_path
    notes: list[str] = []
    args = cli.build_parser().parse_args(["validate", "--no-provenance"])
    assert cli.resolve_sources(args, notes) is None and "--no-provenance" in notes[0]


def test_an_unexpected_error_is_one_line_and_a_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(crashlog.LOG_DIR_ENV, str(tmp_path / "logs"))

    def explode(args, notes):
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(cli.HANDLERS, "docs", explode)
    assert cli.main(["docs"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("internal error: ZeroDivisionError: boom; details written to ")
    assert "please report it" in err and "Traceback" not in err
    (log,) = (tmp_path / "logs").iterdir()
    assert "Traceback" in log.read_text(encoding="utf-8") and "explode" in log.read_text(encoding="utf-8")


def test_a_full_disk_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def full(args, notes):
        raise OSError(errno.ENOSPC, "No space left on device", "dist/x.xlsx")

    monkeypatch.setitem(cli.HANDLERS, "docs", full)
    assert cli.main(["docs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_validate_runs_pandera_starts_no_worker_and_imports_no_pandas() -> None:
    """pandera is the check engine; pandas is not installed, so its import costs nothing; and
    frictionless answers in the second process, its answer read there (never imported here)."""
    code = ("import sys; from scripts.cli import main; rc = main(['validate', '--no-provenance']);"
            "import multiprocessing.process as mp; assert not mp.active_children();"
            "assert 'pandera.polars' in sys.modules and 'pandas' not in sys.modules;"
            "assert 'frictionless' not in sys.modules; sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_missing_package_is_named_before_the_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAC_SOURCES", raising=False)
    assert cli.main(["validate", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'nowhere' / 'datapackage.json'}: file not found\n"


BARE_PYTHONS = {"this interpreter without its site-packages": [sys.executable, "-S", "-s", "-E"],
                "the system's python3": ["/usr/bin/python3", "-s", "-E"]}


@pytest.mark.parametrize("python", BARE_PYTHONS, ids=list(BARE_PYTHONS))
@pytest.mark.parametrize("verb", [["validate"], ["export", "--output", "x.xlsx"], ["import", "x.xlsx"]])
def test_outside_its_environment_each_verb_says_how_to_run_it(python: str, verb: list[str], tmp_path: Path) -> None:
    """Run by a Python lacking the pinned packages, a verb prints one line naming them and the
    way to run it (`make build`, then .venv/bin/python), and exits 2: no "internal error"."""
    command = BARE_PYTHONS[python]
    if not Path(command[0]).is_file():
        pytest.skip(f"{command[0]} is not installed")
    probe = subprocess.run([*command, "-c", "import polars"], capture_output=True, cwd=tmp_path)
    if probe.returncode == 0:
        pytest.skip(f"{command[0]} has the project's packages")
    done = subprocess.run([*command, "-m", "scripts", *verb, str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, env={"PATH": "/usr/bin:/bin", "CAC_LOG_DIR": str(tmp_path)})
    assert (done.returncode, done.stdout) == (2, "")
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: this Python ({command[0]}"), done.stderr
    assert "polars" in lines[0] and f"run `make build` once, then `.venv/bin/python -m scripts {verb[0]} …`" in lines[0]
    assert list(tmp_path.iterdir()) == []  # no internal-error log, nothing written


def test_a_third_party_module_missing_while_running_gets_the_same_advice(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def needs_a_module(args, notes):
        raise ModuleNotFoundError("No module named 'polars'", name="polars")

    monkeypatch.setitem(cli.HANDLERS, "docs", needs_a_module)
    assert cli.main(["docs"]) == 2
    assert capsys.readouterr().err.startswith("error: this Python (")
