"""The import graph shows the architecture: the model layer at the bottom, one folder per job above
it, jobs meeting only in the command layer (or through another job's public face), release and
site unaware of each other. Read from the source, so a new import that breaks a wall fails here."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator

from tests.conftest import ROOT

SCRIPTS = ROOT / "scripts"
UTILITIES = {"files", "archives", "trees", "oserrors", "journal", "crashlog", "report", "report_formats"}
MODEL = {"model"}
JOBS = {"validate", "xlsx", "release", "site", "coverage", "bench"}
TOP = {"commands", "cli", "environment", "__main__"}
# A job may use another job only through its package's public face (never a module inside it).
PUBLIC_FACES = {("xlsx", "scripts.validate")}  # the import validates the staged package


@functools.cache
def imports() -> tuple[tuple[str, str], ...]:
    """(importing module, imported module) for every import of a scripts module, lazy ones too:
    parsed once per run (every test of the walls reads the same graph)."""
    return tuple(_imports())


def _imports() -> Iterator[tuple[str, str]]:
    for path in SCRIPTS.rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("scripts"):
                targets = [f"scripts.{a.name}" for a in node.names] if node.module == "scripts" else [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("scripts")]
            else:
                continue
            for target in targets:
                yield module, target


def part(module: str) -> str:
    """The top-level part of scripts a module belongs to (model, validate, files, ...)."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "scripts"


def test_every_module_belongs_to_a_layer() -> None:
    known = UTILITIES | MODEL | JOBS | TOP
    assert {part(m) for m, _ in imports()} - known == set()


def test_the_model_layer_imports_no_job_and_no_command() -> None:
    assert [(m, t) for m, t in imports() if part(m) in MODEL and part(t) in JOBS | TOP] == []


def test_utilities_import_no_job_and_no_command() -> None:
    assert [(m, t) for m, t in imports() if part(m) in UTILITIES and part(t) in JOBS | TOP] == []


def test_jobs_meet_only_in_the_command_layer_or_through_a_public_face() -> None:
    crossing = [(m, t) for m, t in imports()
                if part(m) in JOBS and part(t) in JOBS | TOP and part(t) != part(m)
                and (part(m), t) not in PUBLIC_FACES]
    assert crossing == []


def test_release_and_site_do_not_import_each_other() -> None:
    assert [(m, t) for m, t in imports() if {part(m), part(t)} == {"release", "site"}] == []


def test_no_module_is_over_500_lines() -> None:
    long = [(str(p.relative_to(ROOT)), n) for p in SCRIPTS.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500]
    assert long == []


def _resolve(module: str, modules: set[str]) -> str | None:
    """The scripts module an import names (a name imported from a package may be a module in it)."""
    while module and module not in modules:
        module = module.rpartition(".")[0]
    return module or None


def test_no_two_modules_import_each_other() -> None:
    """No import cycle between modules (lazy imports included): each module can be read, tested and
    replaced from the bottom up."""
    graph: dict[str, set[str]] = {}
    pairs = list(imports())
    modules = {m for m, _ in pairs} | {"scripts"}
    for module, target in pairs:
        found = _resolve(target, modules)
        if found and found != module and not module.startswith(found + "."):  # a package's own __init__
            graph.setdefault(module, set()).add(found)
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    cycles.append(tuple(path))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert sorted({tuple(sorted(c)) for c in cycles}) == []


def test_only_the_package_reader_opens_csv_readers() -> None:
    """The csv module's field limit (the cell cap) is process-wide, and frictionless raises it to
    2 GiB when its CSV parser loads: a reader built anywhere but model.package's csv_reader (which
    sets the cap at each read) would let an over-long cell through after an in-process validation."""
    made = {"reader", "DictReader", "field_size_limit"}
    found = []
    for path in SCRIPTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = node.func if isinstance(node, ast.Call) else None
            if (isinstance(call, ast.Attribute) and call.attr in made and isinstance(call.value, ast.Name)
                    and call.value.id == "csv"):
                found.append(f"{path.relative_to(ROOT)} csv.{call.attr}")
    assert sorted(found) == ["scripts/model/package.py csv.DictReader", "scripts/model/package.py csv.field_size_limit",
                             "scripts/model/package.py csv.field_size_limit", "scripts/model/package.py csv.reader"]


def test_paths_are_resolved_only_through_files_resolved() -> None:
    """Python 3.11's Path.resolve raises RuntimeError on a symbolic link that leads back to itself,
    which no caller expects (a hostile package's link became an internal error): every path is
    resolved by scripts.files.resolved, which makes it OSError; only the modules' own location is not."""
    found = []
    for path in SCRIPTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = node.func if isinstance(node, ast.Call) else None
            if isinstance(call, ast.Attribute) and call.attr == "resolve":
                own = isinstance(call.value, ast.Call) and ast.unparse(call.value) == "Path(__file__)"
                if not own:
                    found.append(f"{path.relative_to(ROOT)}: {ast.unparse(call)}")
    assert found == ["scripts/files.py: Path(path).resolve"]


def test_no_tracked_file_holds_a_merge_conflict_marker() -> None:
    """A merge left unresolved in a file git tracks (a CHANGELOG, a schema) would ship as data."""
    import subprocess

    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        return  # not a git checkout (an unpacked release): nothing was merged here
    marked = []
    for name in listed.stdout.decode().split("\0"):
        path = ROOT / name
        if not name or not path.is_file() or path.suffix in {".xlsx", ".png", ".parquet", ".sqlite", ".zip"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if line.startswith(("<<<<<<< ", ">>>>>>> ")) or line == "=======":
                marked.append(f"{name}:{number}")
    assert marked == []
