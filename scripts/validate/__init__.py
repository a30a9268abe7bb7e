"""``python -m scripts validate``: every check of the package in one pass over columnar frames.

The pass:

1. the descriptor and Table Schemas are checked with frictionless, the reference (metadata only:
   cheap, and a broken descriptor or schema stops the run with exit 2);
2. each CSV is read once (:mod:`.frames`): bytes (UTF-8, BOM, CRLF), header, ragged or blank rows,
   then one polars frame of text; resource paths that leave the package are refused unread;
3. the Table Schema on whole columns (:mod:`.constraints`): types, constraints, unique, primary
   and foreign keys, key whitespace, sort order — every expression from :mod:`scripts.schema`;
4. the named rules (:mod:`.rules`) and, with source texts, provenance (:mod:`.provenance`).

One mistake gives one line: a problem of a more basic kind hides the problems a later step finds
at the same cell, row or column (:func:`scripts.report.merge`). Validation only reads; it starts no
process and never writes a file of the package. Full frictionless row validation runs in the test
suite, which asserts the same verdict.
"""

from __future__ import annotations

import os
from pathlib import Path

# polars allocates through its own jemalloc, which by default keeps freed pages for ten seconds:
# each table's parse buffers and each check's temporaries would then stay resident for the whole
# run. Returning them at once cuts the peak by a sixth at 300k observations, at no measurable cost
# in time. Read when polars first allocates, so it is set before anything imports polars.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

from scripts.package import DESCRIPTOR, Package, PackageError, load_package, read_json
from scripts.report import Problem, merge
from scripts.schema import CONSTRAINT_RULES, FOREIGN_KEY, PRIMARY_KEY, TYPE, UNIQUE

from . import facts  # noqa: F401  (registers the semantic rules in the one registry)
from .frames import read_package

__all__ = ["FATAL_RULES", "merge", "metadata_problems", "rank", "validate_package"]

# Rules after which validation "could not run" (exit 2) rather than found invalid data (exit 1).
FATAL_RULES = {"missing-file", "unreadable-file", "not-a-regular-file"}
RAW, STRUCTURE, SCHEMA, RULE = range(4)
RAW_RULES = {"missing-file", "unreadable-file", "not-a-regular-file", "unsafe-path", "byte-order-mark",
             "encoding-error", "blank-header", "cell-too-long", "key-whitespace", "clean_text"}
STRUCTURE_RULES = {"missing-label", "extra-label", "incorrect-label", "missing-cell", "extra-cell", "blank-row"}
SCHEMA_RULES = {TYPE, UNIQUE, PRIMARY_KEY, FOREIGN_KEY, *CONSTRAINT_RULES}


def rank(rule: str) -> int:
    """How basic a rule is: a problem hides later-ranked problems at its cell, row or column."""
    if rule in RAW_RULES:
        return RAW
    if rule in STRUCTURE_RULES:
        return STRUCTURE
    return SCHEMA if rule in SCHEMA_RULES else RULE


def metadata_problems(package: Package) -> None:
    """The descriptor and every Table Schema against the Data Package v2 profiles (frictionless).

    Raises PackageError naming the first broken file: nothing else can be trusted after it. A
    verdict is remembered for the process by content, so repeated runs (tests, import then
    release) pay for frictionless once per distinct descriptor and schema.
    """
    import json

    descriptor = json.loads(json.dumps(package.descriptor))
    for resource in descriptor.get("resources", []):
        resource.pop("schema", None)  # schemas are checked one by one below, from the files read
        if resource.get("name") in package.refused:
            resource["path"] = "refused.csv"  # reported as unsafe-path, with the resource's name
    items = [(str(package.root / DESCRIPTOR), "package", descriptor)]
    for table in package.tables.values():
        if table.schema_path.name != DESCRIPTOR:
            items.append((str(table.schema_path), "schema", read_json(table.schema_path)))
    key = json.dumps([(kind, data) for _, kind, data in items], sort_keys=True)
    if key not in _VALID_METADATA:
        _check_metadata(items)
        _VALID_METADATA.add(key)


_VALID_METADATA: set[str] = set()


def _check_metadata(items: list[tuple[str, str, dict]]) -> None:
    from frictionless import Package as FrictionlessPackage
    from frictionless import Schema

    for label, kind, data in items:
        report = (FrictionlessPackage if kind == "package" else Schema).validate_descriptor(data)
        if not report.valid:
            raise PackageError(f"{label}: {report.errors[0].message}")


def validate_package(root: Path | str, sources: Path | None = None) -> list[Problem]:
    """Every problem of the package under ``root``; provenance too when ``sources`` is given.

    Raises PackageError when the descriptor or a schema cannot be read at all.
    """
    from .constraints import table_problems
    from .provenance import provenance_problems
    from .rules import rule_problems

    package = load_package(root, confine=False)
    metadata_problems(package)
    frames, found = read_package(package)
    for name in frames.raw:
        found.extend(table_problems(frames, name))
    found.extend(rule_problems(frames))
    if sources is not None:
        found.extend(provenance_problems(frames, Path(sources)))
    return merge((rank(p.rule), p) for p in found)
