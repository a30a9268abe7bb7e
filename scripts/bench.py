"""Benchmark: ``frictionless validate`` alone against the full ``python -m scripts validate``.

Run as ``python -m scripts.bench [--rows 10000 100000 1000000]``. For each size it builds a
scaled copy of the package (:func:`make_scaled_package`), then runs both commands in
subprocesses, one after the other, and prints wall time, peak memory (max RSS of the child) and
the ratio full / frictionless. It is a script that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import csv
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.package import DESCRIPTOR, atomic_write, csv_text, load_package

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000, 1_000_000)


def make_scaled_package(dest: Path, indicator_rows: int, root: Path = ROOT) -> Path:
    """Copy the package under ``root`` to ``dest`` with ``indicators`` grown to ``indicator_rows``.

    New observations repeat the real ones (cycling through them) under new unique keys
    ('<observation_id>-x0000001'), keep every foreign key pointing at existing records, and each
    get one citation copied from their template's first citation, so the copy stays valid.
    Returns ``dest``.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / DESCRIPTOR, dest / DESCRIPTOR)
    shutil.copytree(root / "schemas", dest / "schemas", dirs_exist_ok=True)
    shutil.copytree(root / "tables", dest / "tables", dirs_exist_ok=True)
    package = load_package(dest)
    indicators, citations = package.table("indicators"), package.table("citations")
    rows = _read(indicators.path)
    cites = _read(citations.path)
    first_cite = {}
    for cite in cites:
        if cite["table_name"] == "indicators":
            first_cite.setdefault(cite["record_id"], cite)
    templates = [row for row in rows if row["observation_id"] in first_cite]
    next_id = max(int(c["citation_id"][1:]) for c in cites) + 1
    for number in range(max(0, indicator_rows - len(rows))):
        template = templates[number % len(templates)]
        key = f"{template['observation_id']}-x{number:07d}"
        rows.append({**template, "observation_id": key})
        cites.append({**first_cite[template["observation_id"]], "record_id": key,
                      "citation_id": f"C{next_id + number:04d}"})
    atomic_write(indicators.path, csv_text(indicators, rows))
    atomic_write(citations.path, csv_text(citations, cites))
    return dest


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def measure(command: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MiB and exit code of ``command`` run as a child.

    Peak memory and CPU time come from ``/usr/bin/time -f '%M %U %S'`` when available (the
    command's largest process and the CPU time of all its processes); otherwise from
    ``getrusage(RUSAGE_CHILDREN)``, whose peak is the largest child so far.
    """
    timer = Path("/usr/bin/time")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    prefix = [str(timer), "-f", "%M %U %S", "-o"] if timer.exists() else []
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        full = [*prefix, rss.name, *command] if prefix else command
        start = time.perf_counter()
        done = subprocess.run(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        text = Path(rss.name).read_text().split() if prefix else []
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if len(text) >= 3:
        peak, cpu = int(text[-3]) / 1024, float(text[-2]) + float(text[-1])
    else:
        peak = after.ru_maxrss / 1024
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, peak, done.returncode


def bench(sizes: tuple[int, ...], sources: Path | None) -> list[dict[str, float]]:
    """Measure both commands at each size; print one table row per size as soon as it is known.

    The full validation runs frictionless in a worker process beside its own checks, so its wall
    time uses two cores; the CPU columns show the total work done.
    """
    python = sys.executable
    frictionless = str(Path(python).with_name("frictionless"))
    print(f"{'indicator rows':>14} | {'frictionless wall s':>19} {'cpu s':>7} {'MiB':>6} |"
          f" {'full wall s':>11} {'cpu s':>7} {'MiB':>6} | {'wall ratio':>10} {'cpu ratio':>9} | exit")
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="cac-bench-") as tmp:
            package = make_scaled_package(Path(tmp) / "pkg", size)
            f_wall, f_cpu, f_rss, f_rc = measure([frictionless, "validate", DESCRIPTOR], package)
            full = [python, "-m", "scripts", "validate", str(package), "--format", "json",
                    "--output", str(Path(tmp) / "report.json")]
            if sources is not None:
                full += ["--sources", str(sources)]
            v_wall, v_cpu, v_rss, v_rc = measure(full, ROOT)
        print(f"{size:>14} | {f_wall:>19.2f} {f_cpu:>7.2f} {f_rss:>6.0f} | {v_wall:>11.2f} {v_cpu:>7.2f}"
              f" {v_rss:>6.0f} | {v_wall / f_wall:>10.2f} {v_cpu / f_cpu:>9.2f} | {f_rc}/{v_rc}", flush=True)
        results.append({"rows": size, "frictionless_s": f_wall, "frictionless_cpu_s": f_cpu,
                        "frictionless_mib": f_rss, "full_s": v_wall, "full_cpu_s": v_cpu, "full_mib": v_rss})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=list(SIZES), help="indicator row counts")
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "sources",
                        help="source texts for the provenance checks (skipped when absent)")
    args = parser.parse_args(argv)
    sources = args.sources if args.sources.is_dir() else None
    if sources is None:
        print("note: source texts not found; the full validation runs without provenance")
    bench(tuple(args.rows), sources)
    return 0


if __name__ == "__main__":
    sys.exit(main())
