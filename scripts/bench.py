"""One benchmark: ``python -m scripts bench`` (or ``make bench``) prints a markdown table.

For the real package and copies grown to 10k / 100k / 1M indicator observations (kept valid,
each new observation with its citation), every command runs in a child process, one after the
other, and is measured by wall time and peak memory (max RSS of the child, from
``/usr/bin/time`` when present):

- ``python -m scripts validate`` against ``frictionless validate`` (the reference);
- ``python -m scripts export`` against XlsxWriter in constant-memory mode writing the same cells;
- ``python -m scripts import`` against a plain python-calamine read of the same workbook, twice:
  the untouched export (read, compared, nothing to write) and the export with one cell edited
  (read, the changed table staged, the staged package validated — provenance included — and
  switched). No size needs ``--max-rows``: the import's caps follow the package it edits.

The export and import run through the CLI, so whichever implementation is in place is measured.
Ratios compare each command with its baseline; k is the growth exponent (time ∝ rows^k), the
log-log slope between consecutive sizes. Targets live here, never in a timed test.

Each child runs under a time limit (``--timeout``, default 20 minutes) in its own process group,
killed as a group when it overruns, and each measurement is printed as soon as it is taken: a run
cut short (the old 1M step was killed with nothing printed, its table due only at the end of the
size) still shows what it measured. Run it in the background writing to a file, and poll.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.files import atomic_write
from scripts.model.package import DESCRIPTOR, csv_text, load_package, read_rows

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000, 1_000_000)
XLSX_LIMIT = 100_000  # workbooks are measured up to this size (citations then fill 1M sheet rows soon after)
TIMEOUT = 1_200.0     # seconds per child process
EDIT = (b"<t>against the same months a year earlier</t>", b"<t>against the same months of the year before</t>")
XLSXWRITER = """
import csv, sys, xlsxwriter
from scripts.model import cells
from scripts.model.package import load_package
package = load_package(sys.argv[1])
book = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
for table in package.tables.values():
    sheet = book.add_worksheet(table.name[:31])
    with table.path.open(encoding="utf-8", newline="") as handle:
        for r, row in enumerate(csv.reader(handle)):
            for c, text in enumerate(row):
                fld = table.fields[c] if r and c < len(table.fields) else None
                value = cells.read_cell(fld, text) if fld is not None and not fld.is_textual else text
                if value is not None and value != "":
                    sheet.write(r, c, value)
book.close()
"""
CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
cells = sum(len(row) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python())
print(cells)
"""


def make_scaled_package(dest: Path, indicator_rows: int, root: Path = ROOT) -> Path:
    """Copy the package under ``root`` to ``dest`` with ``indicators`` grown to ``indicator_rows``.

    New observations repeat the real ones (cycling through them) under new unique keys, each with a
    copy of every citation of its template, so the copy stays valid.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / DESCRIPTOR, dest / DESCRIPTOR)
    shutil.copytree(root / "schemas", dest / "schemas", dirs_exist_ok=True)
    shutil.copytree(root / "tables", dest / "tables", dirs_exist_ok=True)
    package = load_package(dest)
    indicators, citations = package.table("indicators"), package.table("citations")
    rows, cites = read_rows(indicators), read_rows(citations)
    cited: dict[str, list[dict[str, str]]] = {}
    for cite in cites:
        if cite["table_name"] == "indicators":
            cited.setdefault(cite["record_id"], []).append(cite)
    templates = [row for row in rows if row["observation_id"] in cited]
    next_id = max(int(c["citation_id"][1:]) for c in cites) + 1
    for number in range(max(0, indicator_rows - len(rows))):
        template = templates[number % len(templates)]
        key = f"{template['observation_id']}-x{number:07d}"
        rows.append({**template, "observation_id": key})
        for cite in cited[template["observation_id"]]:
            cites.append({**cite, "record_id": key, "citation_id": f"C{next_id:04d}"})
            next_id += 1
    atomic_write(indicators.path, csv_text(indicators, rows))
    atomic_write(citations.path, csv_text(citations, cites))
    return dest


def measure(command: list[str], cwd: Path = ROOT, timeout: float = TIMEOUT) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit code of ``command`` run as a child process.

    The child gets its own process group, killed whole (exit code -9) when it overruns ``timeout``."""
    timer = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        full = [str(timer), "-f", "%M", "-o", rss.name, *command] if timer.exists() else command
        start = time.perf_counter()
        child = subprocess.Popen(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        try:
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            code = -9
        wall = time.perf_counter() - start
        text = Path(rss.name).read_text().split() if timer.exists() else []
    peak = int(text[-1]) / 1024 if text and text[-1].isdigit() else _children_peak()
    return wall, peak, code


def _children_peak() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def slope(sizes: list[int], times: list[float]) -> list[str]:
    """The growth exponent between each size and the previous one (log-log slope)."""
    out = ["–"]
    for (n0, t0), (n1, t1) in zip(zip(sizes, times, strict=True), list(zip(sizes, times, strict=True))[1:],
                                  strict=False):
        out.append(f"{math.log(t1 / t0) / math.log(n1 / n0):.2f}" if t0 > 0 and t1 > 0 and n1 != n0 else "–")
    return out


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def bench_package(package: Path, label: str, sources: Path | None, skip: set[str], tmp: Path) -> list[dict]:
    """Every measurement of one package size, as rows of the table (each printed as it is taken)."""
    rows = []
    if "validate" not in skip:
        frictionless = str(Path(sys.executable).with_name("frictionless"))
        base = measure([frictionless, "validate", DESCRIPTOR], cwd=package)
        ours = measure(_python("-m", "scripts", "validate", str(package), *_provenance(sources), "--format", "json",
                               "--output", str(tmp / "report.json")))
        rows.append(_taken(label, "validate vs frictionless", ours, base))
    if _observations(package) <= XLSX_LIMIT and {"export", "import"} - skip:
        rows += _bench_workbook(package, label, sources, skip, tmp)
    return rows


def _bench_workbook(package: Path, label: str, sources: Path | None, skip: set[str], tmp: Path) -> list[dict]:
    """Export against XlsxWriter, then import of the untouched and of an edited export against a
    calamine read of each."""
    rows = []
    book, edited = tmp / "bench.xlsx", tmp / "edited.xlsx"
    export = measure(_python("-m", "scripts", "export", str(package), "--output", str(book)))
    if "export" not in skip:
        baseline = measure(_python("-c", XLSXWRITER, str(package), str(tmp / "baseline.xlsx")))
        rows.append(_taken(label, "export vs XlsxWriter", export, baseline))
    if "import" in skip or not book.exists():
        return rows
    for kind, path in (("import vs calamine read", book), ("import edited vs calamine read", edited)):
        if path is edited:
            edit_workbook(book, edited)
        read = measure(_python("-c", CALAMINE, str(path)))
        ours = measure(_python("-m", "scripts", "import", str(path), str(package), *_provenance(sources)))
        rows.append(_taken(label, kind, ours, read))
    return rows


def edit_workbook(book: Path, dest: Path) -> None:
    """A copy of ``book`` with one text cell of the indicators sheet retyped (a valid edit), so that
    its import stages the table and validates the package."""
    import zipfile

    edited = False
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if not edited and EDIT[0] in data:
                data, edited = data.replace(EDIT[0], EDIT[1], 1), True
            out.writestr(info, data)
    if not edited:  # an "edited" import of an untouched workbook would time a no-op
        raise ValueError(f"{book.name}: no cell reads {EDIT[0].decode().removeprefix('<t>').removesuffix('</t>')!r}, "
                         "nothing to edit")


def _taken(size: str, what: str, ours: tuple[float, float, int], base: tuple[float, float, int]) -> dict:
    print(f"  {size} {what}: {ours[0]:.2f} s {ours[1]:.0f} MiB (exit {ours[2]}) vs "
          f"{base[0]:.2f} s {base[1]:.0f} MiB (exit {base[2]})", file=sys.stderr, flush=True)
    return {"size": size, "what": what, "ours": ours, "base": base}


def _provenance(sources: Path | None) -> list[str]:
    return ["--sources", str(sources)] if sources else ["--no-provenance"]


def _observations(package: Path) -> int:
    with (package / "tables" / "indicators.csv").open(encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


def render(results: list[dict]) -> str:
    """The markdown table, with the growth exponent per measurement kind."""
    lines = ["| size | measurement | ours s | ours MiB | baseline s | baseline MiB | time ratio | memory ratio"
             " | k | exit | target |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    by_kind: dict[str, list[dict]] = {}
    for item in results:
        by_kind.setdefault(item["what"], []).append(item)
    for kind, items in by_kind.items():
        grown = [i for i in items if i["size"] != "real"]
        ks = dict(zip([id(i) for i in grown], slope([int(i["size"]) for i in grown],
                                                     [i["ours"][0] for i in grown]), strict=True))
        for i in items:
            (ow, om, orc), (bw, bm, brc) = i["ours"], i["base"]
            lines.append(f"| {i['size']} | {kind} | {ow:.2f} | {om:.0f} | {bw:.2f} | {bm:.0f} | {ow / bw:.2f} |"
                         f" {om / bm:.2f} | {ks.get(id(i), '–')} | {orc}/{brc} | {verdict(i)} |")
    return "\n".join(lines) + "\n"


def verdict(item: dict) -> str:
    """The issue's target for this row, and whether it is met (k is judged in the text). On the
    real package a workbook is read or written in milliseconds, so there the ratio measures the
    start-up of ``python -m scripts`` (~0.3 s) and no target is judged."""
    kind, size = item["what"], item["size"]
    (ow, om, ours_exit), (bw, bm, base_exit) = item["ours"], item["base"]
    if ours_exit or base_exit:  # a failed run measured nothing: its time is no evidence either way
        return f"not measured: exit {ours_exit}/{base_exit}"
    if size == "real" and not kind.startswith("validate"):
        return "– (start-up bound)"
    if kind.startswith("validate"):
        if size == "real":
            time_cap, memory_cap = 1.0, None
        elif int(size) >= 300_000:
            time_cap, memory_cap = 0.2, 2.0
        else:
            return "–"
    else:
        time_cap, memory_cap = (1.2 if kind.startswith("export") else 3.0), None
    met = ow / bw <= time_cap and (memory_cap is None or om / bm <= memory_cap)
    wanted = f"≤ {time_cap}× time" + (f", ≤ {memory_cap}× memory" if memory_cap else "")
    return f"{wanted}: {'met' if met else 'MISSED'}"


def run_bench(sizes: list[int] | None, sources: Path | None, skip: set[str] | None = None) -> int:
    """Measure the real package and each grown size; print the markdown table as it fills."""
    import platform

    skip = skip or set()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"benchmark {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, {memory:.0f} GiB, Python "
          f"{platform.python_version()}, provenance {'on' if sources else 'off'}\n", flush=True)
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="cac-bench-") as tmp_name:
        tmp = Path(tmp_name)
        # The warm-up compiles our modules and fills the file cache, unrecorded. It imports the edited
        # workbook, so it runs on its own copy: the real package's round must find the cell to edit.
        warm = make_scaled_package(tmp / "warm-up", 0)
        bench_package(warm, "warm-up", sources, skip, tmp)
        shutil.rmtree(warm, ignore_errors=True)
        results += bench_package(make_scaled_package(tmp / "real", 0), "real", sources, skip, tmp)
        for size in sizes or SIZES:
            package = make_scaled_package(tmp / f"pkg-{size}", size)
            results += bench_package(package, str(size), sources, skip, tmp)
            shutil.rmtree(package, ignore_errors=True)
            print(render(results), file=sys.stderr, flush=True)
    print(render(results))
    return 0
