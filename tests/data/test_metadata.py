"""frictionless's metadata check asked of a second process (scripts.validate.metadata): the same
verdict in the same words as in process, a fallback when that process fails, and a broken file
still named before anything it broke."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.model.package import PackageError, load_package
from scripts.validate import metadata, run_validation


def _break_schema(root: Path) -> Path:
    """offices.json with a field type frictionless refuses ("txt")."""
    path = root / "schemas" / "offices.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][1]["type"] = "txt"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def _break_descriptor(root: Path) -> None:
    """A creation time that is not a datetime (our own shape check lets it through)."""
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["created"] = "yesterday"
    path.write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.fixture()
def separate(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Ask the second process even though frictionless is imported in this test process; the list
    counts the processes started."""
    started: list[int] = []
    spawn = metadata._spawn

    def counted(items: metadata.Items) -> subprocess.Popen | None:
        started.append(1)
        return spawn(items)

    monkeypatch.setattr(metadata, "_frictionless_loaded", lambda: False)
    monkeypatch.setattr(metadata, "_spawn", counted)
    monkeypatch.setattr(metadata, "_VALID", set())
    return started


@pytest.mark.parametrize("breaking", [None, _break_schema, _break_descriptor], ids=["valid", "schema", "descriptor"])
def test_the_second_process_answers_as_frictionless_does_in_process(package_copy: Path, breaking) -> None:
    if breaking is not None:
        breaking(package_copy)
    items = metadata.items_of(load_package(package_copy, confine=False))
    child = metadata._spawn(items)
    assert child is not None
    in_process = metadata._in_process(items)
    assert metadata._answer(child) == in_process
    assert (in_process is None) == (breaking is None)
    if breaking is _break_descriptor:
        assert in_process == (f"{package_copy / 'datapackage.json'}: The data package has an error: "
                              'property "created" is not valid "datetime"')


def test_a_broken_schema_is_named_in_frictionless_words(package_copy: Path, separate: list[int]) -> None:
    path = _break_schema(package_copy)
    with pytest.raises(PackageError) as caught:
        run_validation(package_copy, None, parallel=True)
    assert str(caught.value).startswith(f"{path}: ") and "txt" in str(caught.value)
    assert separate == [1]


def test_a_broken_file_is_named_before_what_it_broke(package_copy: Path, separate: list[int],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables' checks run while the second process works; when they fail on what the broken
    file broke, the run still ends with frictionless's message."""
    path = _break_schema(package_copy)

    def broken(*args: object) -> None:
        raise KeyError("txt")

    monkeypatch.setattr("scripts.validate._checked", broken)
    with pytest.raises(PackageError, match=f"^{path}: "):
        run_validation(package_copy, None, parallel=True)


def test_a_valid_package_is_checked_once_a_process(package_copy: Path, separate: list[int]) -> None:
    assert run_validation(package_copy, None, parallel=True)[0] == []
    assert run_validation(package_copy, None, parallel=True)[0] == []
    assert separate == [1]


@pytest.mark.parametrize("child", ["import sys; sys.exit(3)", "print('not json')", "print('[1]')", "pass",
                                   "import sys; sys.stdout.buffer.write(bytes([255, 10]))"])
def test_a_failed_second_process_means_asking_in_process(package_copy: Path, separate: list[int],
                                                         monkeypatch: pytest.MonkeyPatch, child: str) -> None:
    path = _break_schema(package_copy)
    monkeypatch.setattr(metadata, "_CHILD", child)
    with pytest.raises(PackageError, match=f"^{path}: "):
        run_validation(package_copy, None, parallel=True)
    assert separate == [1]


def test_a_second_process_that_cannot_start_means_asking_in_process(package_copy: Path, separate: list[int],
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    path = _break_schema(package_copy)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    assert metadata._spawn(metadata.items_of(load_package(package_copy, confine=False))) is None
    with pytest.raises(PackageError, match=f"^{path}: "):
        run_validation(package_copy, None, parallel=True)


def test_a_hung_second_process_is_killed_and_asked_in_process(package_copy: Path, separate: list[int],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = _break_schema(package_copy)
    monkeypatch.setattr(metadata, "_CHILD", "import time; time.sleep(600)")
    monkeypatch.setattr(metadata, "ANSWER_TIMEOUT", 0.5)
    with pytest.raises(PackageError, match=f"^{path}: "):
        run_validation(package_copy, None, parallel=True)


def test_an_interrupted_run_stops_the_second_process_at_once(package_copy: Path, separate: list[int],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    children: list[subprocess.Popen] = []
    spawn = metadata._spawn

    def kept(items: metadata.Items) -> subprocess.Popen | None:
        children.append(spawn(items))
        return children[-1]

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(metadata, "_CHILD", "import time; time.sleep(60)")
    monkeypatch.setattr(metadata, "_spawn", kept)
    monkeypatch.setattr("scripts.validate._checked", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_validation(package_copy, None, parallel=True)
    assert children[0].returncode == -9  # killed and reaped, not waited for a minute


def test_a_failing_second_process_says_nothing_to_the_user(package_copy: Path, separate: list[int],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(metadata, "_CHILD", "raise RuntimeError('boom')")
    assert run_validation(package_copy, None, parallel=True)[0] == []
    assert capfd.readouterr() == ("", "")  # its traceback never reaches the user; the answer is asked here


def test_the_second_process_ignores_a_frictionless_module_in_the_current_folder(
        package_copy: Path, separate: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Isolated (-I): a package folder holding frictionless.py cannot answer for frictionless."""
    path = _break_schema(package_copy)
    (tmp_path / "frictionless.py").write_text("import sys; print('null'); sys.exit(0)\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PackageError, match=f"^{path}: "):
        run_validation(package_copy, None, parallel=True)


def test_metadata_problems_asks_in_process(package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even where frictionless is not loaded yet, the library call starts no second process."""
    def spawn(items: object) -> None:
        raise AssertionError("a second process was started")

    monkeypatch.setattr(metadata, "_frictionless_loaded", lambda: False)
    monkeypatch.setattr(metadata, "_spawn", spawn)
    path = _break_schema(package_copy)
    with pytest.raises(PackageError, match=f"^{path}: "):
        metadata.metadata_problems(load_package(package_copy, confine=False))


def test_abandoning_twice_is_harmless() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    pending = metadata.Pending([], "key", child)
    pending.abandon()
    pending.abandon()
    assert child.returncode == -9 and pending.child is None


def test_the_command_line_names_a_broken_schema_from_the_second_process(package_copy: Path) -> None:
    """A real cold run: frictionless is not imported in the validating process."""
    path = _break_schema(package_copy)
    done = subprocess.run([sys.executable, "-m", "scripts", "validate", str(package_copy), "--no-provenance"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"error: {path}: ") and done.stderr.count("\n") == 1


def test_a_second_process_is_started_only_while_frictionless_is_not_imported_here(
        package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once frictionless is imported in this process (a second validation), asking here is cheaper
    than starting a process that imports it again."""
    import frictionless  # noqa: F401  (imported here, as after a first validation)

    started: list[int] = []
    monkeypatch.setattr(metadata, "_spawn", lambda items: started.append(1))  # None: asked in process
    monkeypatch.setattr(metadata, "_VALID", set())
    package = load_package(package_copy, confine=False)
    metadata.start(package, parallel=True).verdict()
    assert started == []
    monkeypatch.delitem(sys.modules, "frictionless")  # restored at teardown; not imported again here
    monkeypatch.setattr(metadata, "_VALID", set())
    metadata.start(package, parallel=True)  # its verdict would import frictionless anew: not asked
    assert started == [1]
