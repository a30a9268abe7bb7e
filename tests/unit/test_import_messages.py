"""What a person editing the workbook is told, end to end through the command line (``python -m
scripts import``, run in this process): the cell they changed and a fix, in plain words, in the
order that saves them work."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults.support import run_cli
from tests.unit.xlsx_support import checksums, column_of, copy_package, edit, export, row_of

MONTH_MEETING = "ca-consultative-6"  # date_start 2024-08 (month precision), city Astana (cited)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pristine = copy_package(tmp_path_factory.mktemp("pristine") / "pkg")
    return export(pristine, tmp_path_factory.mktemp("export") / "package.xlsx")


@pytest.fixture()
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


@pytest.fixture()
def cli_import(capsys: pytest.CaptureFixture[str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The import as a person runs it; a refused import must leave the tables as they were."""

    def run(pkg: Path, workbook: Path, *options: str) -> subprocess.CompletedProcess[str]:
        before = checksums(pkg)
        done = run_cli(capsys, "import", workbook, pkg, *options)
        assert "Traceback" not in done.stdout + done.stderr
        if done.returncode:
            assert checksums(pkg) == before
        return done

    return run


def set_cell(sheet: str, key: str, column: str, value: object):
    def change(wb):
        ws = wb[sheet]
        ws.cell(row_of(ws, key), column_of(ws, column)).value = value
    return change


def test_a_stale_workbook_with_a_bad_cell_reports_the_staleness_first(cli_import, pkg, exported, tmp_path):
    """The tables changed since the export and the workbook also holds a refused cell: the
    staleness is the one problem (its edits must be redone in a fresh export anyway), and the bad
    cell is named in a note so it is not typed wrong again."""
    workbook = edit(exported, tmp_path / "edited.xlsx", set_cell("meetings", MONTH_MEETING, "date_start",
                                                                 dt.datetime(2024, 8, 15)))
    states = pkg / "tables" / "states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace("Azerbaijan", "Azerbaijan Republic"),
                      encoding="utf-8")
    done = cli_import(pkg, workbook, "--no-provenance")
    assert done.returncode == 1
    assert "[tables-changed]" in done.stderr and "[type-error]" not in done.stderr
    assert done.stderr.splitlines()[1] == (
        "note: this workbook also has 1 cell problem (meetings!F8), not listed since the edits must be made "
        "again in a fresh export: check those cells there")
    assert done.stderr.rstrip().endswith("invalid: 1 problem in 1 file")


def test_a_changed_quoted_value_is_refused_at_the_edited_cell_in_plain_words(cli_import, pkg, exported, tmp_path,
                                                                             sources):
    """meetings!I8 (the sixth meeting's city) is quoted word for word by citation C0108: changing it
    was refused at citations!D109 with a hint about "support" kinds. The report now leads with
    the edited cell, says why, and gives both ways out."""
    workbook = edit(exported, tmp_path / "edited.xlsx", set_cell("meetings", MONTH_MEETING, "city", "Nur-Sultan"))
    done = cli_import(pkg, workbook, "--sources", str(sources))
    assert done.returncode == 1
    assert done.stderr.splitlines()[2:6] == [
        "meetings: 1 problem",
        "  row 8, city = 'Nur-Sultan'  [citation-value-missing] meetings!I8: this city is quoted word for word "
        "from source src-001, line 1, and 'Nur-Sultan' is not there: change the citation too, or keep the value "
        "'Astana'",
        "      hint: type 'Astana' back, or on the citations sheet (row 109) point the citation at the lines of a "
        "source that say 'Nur-Sultan' (source_id, line_start, line_end, evidence); if no source says it word for "
        "word, set its support to paraphrase or inferred",
        ""]
    assert "citations" not in done.stderr.split("hint:")[0]


def test_a_changed_citation_is_still_refused_at_the_citation(cli_import, pkg, exported, tmp_path, sources):
    """Only an edit of the cited cell moves the problem: a citation pointed at the wrong lines is
    the citation's own problem."""
    workbook = edit(exported, tmp_path / "edited.xlsx", set_cell("citations", "C0108", "evidence", "Nur-Sultan hosts"))
    done = cli_import(pkg, workbook, "--sources", str(sources))
    assert done.returncode == 1
    assert "[citation-evidence-missing] citations!I109: " in done.stderr and "meetings!" not in done.stderr


def _names_instead_of_keys(wb):
    ws = wb["meetings"]
    row, host = row_of(ws, MONTH_MEETING), column_of(ws, "host_state_id")
    ws.cell(row, host).value = "Kyrgyzstan"
    ws.cell(row + 1, host).value = "kyrgystan"  # a slip of the finger, closely matched
    ws.cell(row + 2, host).value = "Zedland"  # named on the states sheet in this very workbook
    ws.cell(row + 3, host).value = "Atlantis"  # no such state: no guess
    states = wb["states"]
    states.append(["ZZZ", "Zedland", "false"])


def test_a_name_typed_as_a_key_gets_did_you_mean(cli_import, pkg, exported, tmp_path):
    workbook = edit(exported, tmp_path / "edited.xlsx", _names_instead_of_keys)
    done = cli_import(pkg, workbook, "--no-provenance")
    assert done.returncode == 1
    lines = [line.strip() for line in done.stderr.splitlines() if "host_state_id" in line or "hint:" in line]
    assert lines == [
        "row 8, host_state_id = 'Kyrgyzstan'  [pattern] meetings!L8: 'Kyrgyzstan' is not 3 capital letters; "
        "did you mean KGZ (Kyrgyzstan)?",
        "hint: use KGZ, the state_id of Kyrgyzstan on the states sheet",
        "row 9, host_state_id = 'kyrgystan'  [pattern] meetings!L9: 'kyrgystan' is not 3 capital letters; "
        "did you mean KGZ (Kyrgyzstan)?",
        "hint: use KGZ, the state_id of Kyrgyzstan on the states sheet",
        "row 10, host_state_id = 'Zedland'  [pattern] meetings!L10: 'Zedland' is not 3 capital letters; "
        "did you mean ZZZ (Zedland)?",
        "hint: use ZZZ, the state_id of Zedland on the states sheet",
        "row 11, host_state_id = 'Atlantis'  [pattern] meetings!L11: 'Atlantis' is not 3 capital letters",
        "hint: write 3 capital letters"]


def test_validate_suggests_the_key_a_name_means(package_copy, capsys):
    """The same in validate's report of the CSVs, for the pattern and the foreign key alike."""
    path = package_copy / "tables" / "meetings.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    assert lines[7].split(",")[header.index("host_state_id")] == "KAZ"
    cells = lines[7].split(",")
    cells[header.index("host_state_id")] = "kazakhstan"
    lines[7] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")
    done = run_cli(capsys, "validate", package_copy, "--no-provenance")
    assert done.returncode == 1
    found = [line.strip() for line in done.stdout.splitlines() if "kazakhstan" in line]
    assert found == [
        "row 8, host_state_id = 'kazakhstan'  [foreign-key] host_state_id 'kazakhstan' is not a state_id of "
        "states; did you mean KAZ (Kazakhstan)?",
        "row 8, host_state_id = 'kazakhstan'  [pattern] host_state_id: 'kazakhstan' is not 3 capital letters; "
        "did you mean KAZ (Kazakhstan)?"]
    assert done.stdout.count("hint: use KAZ, the state_id of Kazakhstan in states") == 2


def test_a_sheet_problem_that_names_no_cell_is_reported_as_the_reader_words_it(cli_import, pkg, exported, tmp_path):
    """A sheet whose header row was cleared: the streaming reader's finding names the sheet, not
    a cell, and reaches the user as it was worded (filing it at a cell would have made it
    "topics!: topics: row 1 ..."), once: every field's column missing is the same mistake (it was
    a second problem, "the columns topic_id, name, description are missing")."""
    def clear_header(wb):
        for cell in wb["topics"][1]:
            cell.value = None

    done = cli_import(pkg, edit(exported, tmp_path / "edited.xlsx", clear_header), "--no-provenance")
    assert done.returncode == 1
    assert done.stderr.splitlines()[3:] == [
        "topics: 1 problem",
        "  row 1  [missing-header] topics: row 1 (the header) is empty",
        "      hint: restore the header row from a fresh export",
        "",
        "invalid: 1 problem in 1 file"]


@pytest.mark.parametrize("far_note", [False, True], ids=["fast", "streaming"])
def test_a_date_cell_whose_table_file_is_gone_names_the_file(cli_import, pkg, exported, tmp_path, far_note):
    """A calendar date typed into a month-precision field is compared with the table's old text;
    when the table's file was deleted since the export there is none to read: the import names the
    missing file (exit 2), with either reader, rather than failing on the comparison."""
    def change(wb):
        set_cell("meetings", MONTH_MEETING, "date_start", dt.datetime(2024, 8, 1))(wb)
        if far_note:
            wb["meetings"]["BR3"] = "a note"

    (pkg / "tables" / "meetings.csv").unlink()
    done = cli_import(pkg, edit(exported, tmp_path / "edited.xlsx", change), "--no-provenance")
    assert (done.returncode, done.stderr.splitlines()[-1]) == (
        2, f"error: cannot use {pkg / 'tables' / 'meetings.csv'}: no such file or directory (check the path)")
