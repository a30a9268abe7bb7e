"""Benchmark: the workbook export and import against XlsxWriter's constant-memory mode.

Run as ``python -m scripts.bench_workbook [--rows 100000 1000000] [--no-import]``. For each size
(total rows over all tables) it builds a scaled copy of the package
(:func:`scripts.bench.make_scaled_package`: more indicators, each with its citation), then runs,
each in a child process so that peak memory is the child's own:

- ``python -m scripts export`` (the full workbook: helper sheets, styles, validation, links);
- XlsxWriter with ``constant_memory`` writing the same rows, typed, with no styling (the baseline);
- ``python -m scripts import`` of the exported workbook (reading, casting, full validation).

It prints wall time, rows per second and peak memory (max RSS) of each, and the export/XlsxWriter
time ratio (target: at most 1.5 at a million rows, with peak memory under 200 MB). It is a script
that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.bench import ROOT, make_scaled_package
from scripts.package import load_package, parse_value

SIZES = (100_000, 1_000_000)


def total_rows(root: Path) -> int:
    """Data rows over every table of the package under ``root``."""
    count = 0
    for table in load_package(root).tables.values():
        with table.path.open(encoding="utf-8", newline="") as handle:
            count += sum(1 for _ in csv.reader(handle)) - 1
    return count


def scaled(dest: Path, rows: int) -> Path:
    """A copy of the package with about ``rows`` rows in all: each added indicator brings one
    citation, so half of the missing rows become indicators."""
    package = load_package(ROOT)
    base = total_rows(ROOT)
    with package.table("indicators").path.open(encoding="utf-8") as handle:
        indicators = sum(1 for _ in handle) - 1
    return make_scaled_package(dest, indicators + max(0, rows - base) // 2)


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit code of ``command`` run as a child process (peak
    from ``/usr/bin/time -f %M`` when present, else the largest child so far)."""
    timer = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        full = [str(timer), "-f", "%M", "-o", rss.name, *command] if timer.exists() else command
        start = time.perf_counter()
        done = subprocess.run(full, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              check=False)
        wall = time.perf_counter() - start
        text = Path(rss.name).read_text().split() if timer.exists() else []
    if done.returncode:
        print(done.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
    peak_kib = int(text[-1]) if text and text[-1].isdigit() else resource.getrusage(
        resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kib / 1024, done.returncode


def xlsxwriter_plain(root: Path, dest: Path) -> None:
    """Write every table's rows with XlsxWriter in constant-memory mode: one sheet per table,
    numbers and booleans typed, no styles, validation or links."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(dest), {"constant_memory": True})
    for table in load_package(root).tables.values():
        sheet = book.add_worksheet(table.name)
        writers = [_writer_for(sheet, f) for f in table.fields]
        with table.path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            sheet.write_row(0, 0, next(reader))
            for number, row in enumerate(reader, start=1):
                for column, (text, write) in enumerate(zip(row, writers, strict=True)):
                    if text:
                        write(number, column, text)
    book.close()


def _writer_for(sheet, fld):
    if fld.type in ("integer", "number"):
        return lambda r, c, text: sheet.write_number(r, c, parse_value(fld, text))
    if fld.type == "boolean":
        return lambda r, c, text: sheet.write_boolean(r, c, parse_value(fld, text))
    return sheet.write_string


def bench(sizes: tuple[int, ...], with_import: bool) -> None:
    python = sys.executable
    print(f"{'rows':>9} | {'export s':>8} {'rows/s':>8} {'MiB':>5} | {'xlsxwriter s':>12} {'rows/s':>8} "
          f"{'MiB':>5} | {'ratio':>5} | {'import s':>8} {'rows/s':>8} {'MiB':>5} | exit")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="cac-bench-wb-") as tmp:
            package = scaled(Path(tmp) / "pkg", size)
            rows = total_rows(package)
            book = Path(tmp) / "out.xlsx"
            e_wall, e_mib, e_rc = measure([python, "-m", "scripts", "export", str(package), "--output",
                                           str(book)])
            x_wall, x_mib, x_rc = measure([python, "-m", "scripts.bench_workbook", "--xlsxwriter",
                                           str(package), str(Path(tmp) / "plain.xlsx")])
            i_wall, i_mib, i_rc = (measure([python, "-m", "scripts", "import", str(book), str(package)])
                                   if with_import else (float("nan"), float("nan"), 0))
            size_mb = book.stat().st_size / 2**20 if book.exists() else 0
        print(f"{rows:>9} | {e_wall:>8.1f} {rows / e_wall:>8.0f} {e_mib:>5.0f} | {x_wall:>12.1f} "
              f"{rows / x_wall:>8.0f} {x_mib:>5.0f} | {e_wall / x_wall:>5.2f} | {i_wall:>8.1f} "
              f"{rows / i_wall:>8.0f} {i_mib:>5.0f} | {e_rc}/{x_rc}/{i_rc}  ({size_mb:.1f} MB workbook)",
              flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_workbook",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=list(SIZES), help="total row counts")
    parser.add_argument("--no-import", action="store_true", help="measure the export only")
    parser.add_argument("--xlsxwriter", nargs=2, type=Path, metavar=("ROOT", "DEST"),
                        help=argparse.SUPPRESS)  # the baseline, run as a child process
    args = parser.parse_args(argv)
    if args.xlsxwriter:
        xlsxwriter_plain(*args.xlsxwriter)
        return 0
    bench(tuple(args.rows), not args.no_import)
    return 0


if __name__ == "__main__":
    sys.exit(main())
