"""``python -m scripts release``: validate a snapshot of the package and build every release file
into dist/, all or nothing.

The steps, holding the package lock (so no import, export or other release writes meanwhile):

1. ``recover(root)``, ``recover_dist(dist)``: finish or undo a switch a killed import or release left;
   then refuse a ``dist`` (or names beside it) that a release did not make (:mod:`.distdir`);
2. snapshot (:mod:`.snapshot`): every input file copied once into a private folder;
3. refuse (exit 1, nothing written) when the snapshot is invalid or a generated file that repeats
   the release metadata (CITATION.cff, .zenodo.json, pyproject's version, docs/) is stale;
4. build into ``.dist.stage-<pid>-<hex>`` beside dist/, marked as a release's first: the zip
   (one folder, ``<name>-<version>/``), one CSV and one Parquet file per table and the Parquet
   files' ``datapackage.json``, the workbook, SQLite and Datasette metadata, data dictionary and
   ERD, portal metadata (schema.org, Zenodo's legacy deposit and REST API record, CKAN), the diff
   against the previous version; then the static site, given every file above with its size and
   sha256 (its Downloads section) and the schema.org JSON-LD; then SHA256SUMS;
5. swap the stage in (:func:`scripts.files.swap_dir`): dist/ holds the old or the new release.

What the release takes from other jobs — validation, the workbook, the site — the caller passes
in as :class:`Steps` (the command layer, :func:`scripts.commands.release_steps`), so this package
imports none of them.

SHA256SUMS covers every file in dist/ (the site too) except the release marker and the SQLite
database, whose bytes depend on the installed SQLite library (see :mod:`.sqlite`); everything
else is a pure function of the snapshot and the pinned Python packages, so two builds give the
same SHA256SUMS.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scripts.files import checked_name, checkpoint, output_file, package_lock, recover, resolved, swap_dir
from scripts.model import catalogue
from scripts.model.downloads import CHANGES, DATA_SUFFIXES, PARQUET_DESCRIPTOR, Downloads, ReleaseFile, download_names
from scripts.model.meta import PackageMeta, html_safe_json_text, json_text, package_meta
from scripts.model.package import DESCRIPTOR, Package
from scripts.model.publishing import placeholders
from scripts.release import docs, parquet, portals, sqlite
from scripts.release.diff import PackageDiff, diff_json, diff_packages
from scripts.release.distdir import MARKER, check_dist, make_release_stage, recover_dist
from scripts.release.errors import ReleaseRefused
from scripts.release.generated import stale_problems
from scripts.release.refs import open_version, previous_tag
from scripts.release.snapshot import Snapshot, take_snapshot
from scripts.report import Problem

CHECKSUMS = "SHA256SUMS"
SITE = "site"
UNSUMMED = (".sqlite",)  # suffixes left out of SHA256SUMS (library-dependent bytes)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Steps:
    """The other jobs a release runs, given by the caller.

    ``validate(root, sources)`` returns the problems of the package at ``root`` (provenance too
    when ``sources`` is given); ``workbook(package, dest)`` writes the workbook (ReleaseError
    when it cannot); ``site(package, rows, dest, downloads)`` writes the static site into the
    folder ``dest``, listing ``downloads`` (every release file written before it, with its size
    and sha256, and the JSON-LD to embed)."""

    validate: Callable[[Path, Path | None], list[Problem]]
    workbook: Callable[[Package, Path], None]
    site: Callable[[Package, dict[str, list[dict[str, str]]], Path, Downloads], None]


@dataclass
class ReleaseResult:
    dist: Path
    files: dict[str, int]
    seconds: float
    notes: list[str]


def zip_snapshot(snap: Snapshot, generated: dict[str, str], dest: Path, folder: str) -> None:
    """The Data Package as a zip that unpacks into the one folder ``folder`` (``<name>-<version>``,
    a checked file name): the snapshot's files plus the generated docs, sorted entries, fixed times
    and permissions."""
    entries = {name: (snap.root / name).read_bytes() for name in snap.digests}
    entries.update({f"{docs.DOCS}/{name}": text.encode("utf-8") for name, text in generated.items()})
    with zipfile.ZipFile(dest, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[name], compresslevel=9)


def checksums(directory: Path) -> str:
    """``sha256sum`` lines for every file under ``directory`` (relative paths, sorted), leaving
    out SHA256SUMS itself, the release marker and the library-dependent files."""
    lines = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        if name not in (CHECKSUMS, MARKER) and path.suffix not in UNSUMMED:
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}")
    return "\n".join(lines) + "\n"


def output_paths(package: Package, folder: Path) -> dict[str, Path]:
    """Every release file named from content (the descriptor's name and version, each resource's
    name), built by :func:`scripts.files.output_file`, so a hostile name is refused (exit 2)
    before anything is written. Keys: "zip", "xlsx", "sqlite", "<table>.csv", "<table>.parquet";
    the zip is ``<name>-<version>.zip``, as :meth:`PackageMeta.zip_name` gives it to the portals."""
    label = f"{DESCRIPTOR}: name"
    name = checked_name(package.descriptor.get("name"), label)
    version = checked_name(package.descriptor.get("version"), f"{DESCRIPTOR}: version")
    paths = {"zip": output_file(folder, checked_name(f"{name}-{version}", label), ".zip", label),
             "xlsx": output_file(folder, name, ".xlsx", label), "sqlite": output_file(folder, name, ".sqlite", label)}
    for table in package.tables.values():
        for suffix in (".csv", ".parquet"):
            paths[table.name + suffix] = output_file(folder, table.name, suffix, f"{DESCRIPTOR}: resource name")
    return paths


def _data_files(snap: Snapshot, meta: PackageMeta, stage: Path, steps: Steps) -> list[str]:
    """The downloadable data files (zip, CSV, Parquet, workbook, SQLite); their names, sorted."""
    paths = output_paths(snap.package, stage)
    generated = docs.render_docs(snap.package)
    zip_snapshot(snap, generated, paths["zip"], paths["zip"].name.removesuffix(".zip"))
    for name, table in snap.package.tables.items():
        shutil.copyfile(table.path, paths[f"{name}.csv"])
        parquet.write_parquet(table, snap.rows[name], paths[f"{name}.parquet"])
    (stage / PARQUET_DESCRIPTOR).write_text(json_text(parquet.parquet_descriptor(snap.package)), encoding="utf-8")
    checkpoint("release-parquet-written")
    steps.workbook(snap.package, paths["xlsx"])
    sqlite.build_sqlite(snap.package, snap.rows, meta, snap.digests, paths["sqlite"])
    for name, text in generated.items():
        (stage / name).write_text(text, encoding="utf-8")
    return sorted(p.name for p in stage.iterdir() if p.suffix in DATA_SUFFIXES)


def build_into(snap: Snapshot, meta: PackageMeta, stage: Path, diff: PackageDiff | None, steps: Steps) -> None:
    """Write every release file of the snapshot into the empty folder ``stage``."""
    files = _data_files(snap, meta, stage, steps)
    (stage / "datasette-metadata.json").write_text(json_text(sqlite.datasette_metadata(snap.package, meta)),
                                                   encoding="utf-8")
    if diff is not None:
        (stage / CHANGES).write_text(json_text(diff_json(diff)), encoding="utf-8")
    jsonld = html_safe_json_text(portals.schema_org(meta, snap.package, snap.rows, files))
    (stage / "schema-org.jsonld").write_text(jsonld, encoding="utf-8")
    (stage / "zenodo.json").write_text(json_text({"metadata": portals.zenodo(meta, snap.rows)}), encoding="utf-8")
    (stage / "zenodo-record.json").write_text(json_text(portals.zenodo_record(meta, snap.rows)), encoding="utf-8")
    (stage / "ckan-package.json").write_text(json_text(portals.ckan(meta, snap.rows, files)), encoding="utf-8")
    steps.site(snap.package, snap.rows, stage / SITE, written_downloads(stage, meta, snap.package, jsonld))
    checkpoint("release-site-written")
    (stage / CHECKSUMS).write_text(checksums(stage), encoding="utf-8")
    _publishable(stage)


def written_downloads(stage: Path, meta: PackageMeta, package: Package, jsonld: str) -> Downloads:
    """The files the site offers, as written into ``stage``: each with its size and sha256 (the
    site is written after them and before SHA256SUMS, which covers the site too)."""
    whole, tables, about = download_names(meta, package.tables)
    if (stage / CHANGES).is_file():
        about = [*about, CHANGES]

    def described(names: list[str]) -> tuple[ReleaseFile, ...]:
        return tuple(ReleaseFile(n, (stage / n).stat().st_size, hashlib.sha256((stage / n).read_bytes()).hexdigest())
                     for n in names)

    return Downloads(described(whole), described(tables), described(about), jsonld=jsonld)


def _publishable(stage: Path) -> None:
    """Readable by everyone, as a published folder should be (the stage is private)."""
    for path in [stage, *stage.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


NO_PREVIOUS = ("no previous version to compare with (no git tag of another version is merged into HEAD, and "
               "no --previous), so changes.json is not written; once this version is tagged ({tag}), the "
               "release of the next version writes it, listing every record added, removed or changed since")


def previous_diff(snap: Snapshot, root: Path, previous: str | None) -> PackageDiff | None:
    """The diff against ``previous`` (folder, zip or git ref), else the last git tag of another
    version, else None (first release)."""
    spec = previous or previous_tag(root, snap.package.version)
    if spec is None:
        return None
    with open_version(spec, root) as old:
        return diff_packages(old, snap.package, snap.rows)


def placeholder_problems(package: Package) -> list[Problem]:
    """Each publishing setting that is a placeholder, as a problem at its JSON path (``--final``)."""
    rule = catalogue.RELEASE_PLACEHOLDER
    return [Problem(DESCRIPTOR, None, p.setting, p.value, rule, f"{p.setting} {p.why}", catalogue.hint(rule))
            for p in placeholders(package.descriptor)]


def placeholder_note(package: Package) -> list[str]:
    """One line naming the placeholders of a release that is not final (none: no line)."""
    found = placeholders(package.descriptor)
    if not found:
        return []
    return ["not ready to publish: " + "; ".join(map(str, found)) + " (release --final refuses to build until each "
            "is set; see the README's Publishing section)"]


def _refusals(snap: Snapshot, root: Path, sources: Path | None, steps: Steps, final: bool) -> list[Problem]:
    problems = list(steps.validate(snap.root, sources)) + (placeholder_problems(snap.package) if final else [])
    if snap.unread:  # validation names the over-long cells; the stale check needs every row
        return problems or [Problem(snap.package.table(name).path.name, None, None, None, "cell-too-long",
                                    "a cell is longer than the cell cap", "run validate") for name in snap.unread]
    try:
        meta = package_meta(snap.package)
    except KeyError as exc:
        return [*problems, Problem("datapackage.json", None, str(exc).strip("'"), None, "release-metadata",
                                   f"datapackage.json has no top-level {exc} (needed to publish)",
                                   "add it; see the Publishing section of the README")]
    return problems + stale_problems(root, snap, meta)


def release(root: Path, steps: Steps, dist: Path | None = None, sources: Path | None = None,
            previous: str | None = None, final: bool = False) -> ReleaseResult:
    """Validate the package at ``root`` and build its release into ``dist`` (default root/dist),
    running the other jobs' ``steps``. A ``final`` release (the one to publish) is also refused
    while a publishing setting is a placeholder (:mod:`scripts.model.publishing`); any other
    release names them in a note.

    Raises ReleaseRefused (nothing written) when the package is not releasable, ReleaseError or
    OSError (nothing written; dist/ keeps the previous release) when the build cannot run.
    """
    started = time.perf_counter()
    root = resolved(root)
    dist = Path(os.path.abspath(dist)) if dist is not None else root / "dist"  # a link is judged, not followed
    with package_lock(root):
        recover(root)  # an import killed mid-switch: finish or undo it before reading the tables
        recover_dist(dist)
        check_dist(dist)  # replaced whole: only a folder a release made (its marker) may be
        with take_snapshot(root) as snap:
            checkpoint("release-snapshot")
            output_paths(snap.package, dist)  # a name that cannot name a file: refused before anything is written
            problems = _refusals(snap, root, sources, steps, final)
            if problems:
                raise ReleaseRefused(problems)
            meta = package_meta(snap.package)
            diff = previous_diff(snap, root, previous)
            notes = [NO_PREVIOUS.format(tag=f"v{meta.version}")] if diff is None else []
            notes += [] if final else placeholder_note(snap.package)
            dist.parent.mkdir(parents=True, exist_ok=True)
            stage = make_release_stage(dist)
            try:
                build_into(snap, meta, stage, diff, steps)
                checkpoint("release-staged")
                swap_dir(stage, dist)
            finally:
                shutil.rmtree(stage, ignore_errors=True)
    files = {p.name: p.stat().st_size for p in sorted(dist.iterdir()) if p.is_file() and p.name != MARKER}
    return ReleaseResult(dist, files, time.perf_counter() - started, notes)
