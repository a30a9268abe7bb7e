"""The import graph shows the architecture: the model layer at the bottom, one folder per job above
it, jobs meeting only in the command layer (or through another job's public face), release and
site unaware of each other. Read from the source, so a new import that breaks a wall fails here."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tests.conftest import ROOT

SCRIPTS = ROOT / "scripts"
UTILITIES = {"files", "archives", "trees", "oserrors", "journal", "crashlog", "report", "report_formats"}
MODEL = {"model"}
JOBS = {"validate", "xlsx", "release", "site", "coverage", "bench"}
TOP = {"commands", "cli", "environment", "__main__"}
# A job may use another job only through its package's public face (never a module inside it).
PUBLIC_FACES = {("xlsx", "scripts.validate")}  # the import validates the staged package


def imports() -> Iterator[tuple[str, str]]:
    """(importing module, imported module) for every import of a scripts module, lazy ones too."""
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
