"""``python -m scripts release``: validate a snapshot of the package and build every release file
into dist/, all or nothing.

The steps, holding the package lock (so no import, export or other release writes meanwhile):

1. ``recover(root)``, ``recover_dir(dist)``: finish or undo a switch a killed import or release left;
2. snapshot (:mod:`.snapshot`): every input file copied once into a private folder;
3. refuse (exit 1, nothing written) when the snapshot is invalid or a generated file that repeats
   the release metadata (CITATION.cff, .zenodo.json, pyproject's version, docs/) is stale;
4. build into ``.dist.stage-<pid>-<hex>`` beside dist/: the zip, one CSV and one Parquet file per
   table, the workbook, SQLite and Datasette metadata, data dictionary and ERD, portal metadata
   (schema.org, Zenodo's legacy deposit and REST API record, CKAN), the diff against the previous
   version, the static site, then SHA256SUMS;
5. swap the stage in (:func:`scripts.files.swap_dir`): dist/ holds the old or the new release.

SHA256SUMS covers every file in dist/ (the site too) except the SQLite database, whose bytes
depend on the installed SQLite library (see :mod:`.sqlite`); everything else is a pure function
of the snapshot and the pinned Python packages, so two builds give the same SHA256SUMS.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from scripts.files import _step, make_stage, package_lock, recover, recover_dir, swap_dir
from scripts.model.meta import PackageMeta, html_safe_json_text, json_text, package_meta
from scripts.release import docs, parquet, portals, sqlite
from scripts.release.diff import PackageDiff, diff_json, diff_packages
from scripts.release.errors import ReleaseError, ReleaseRefused
from scripts.release.generated import stale_problems
from scripts.release.refs import open_version, previous_tag
from scripts.release.snapshot import Snapshot, take_snapshot
from scripts.report import Problem

CHECKSUMS = "SHA256SUMS"
SITE = "site"
UNSUMMED = (".sqlite",)  # suffixes left out of SHA256SUMS (library-dependent bytes)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
RELEASE_SUFFIXES = {".zip", ".csv", ".parquet", ".xlsx", ".sqlite", ".json", ".jsonld", ".md", ".svg"}


@dataclass
class ReleaseResult:
    dist: Path
    files: dict[str, int]
    seconds: float


def zip_snapshot(snap: Snapshot, generated: dict[str, str], dest: Path) -> None:
    """The Data Package as a zip: the snapshot's files plus the generated docs, sorted entries,
    fixed times and permissions."""
    entries = {name: (snap.root / name).read_bytes() for name in snap.digests}
    entries.update({f"{docs.DOCS}/{name}": text.encode("utf-8") for name, text in generated.items()})
    with zipfile.ZipFile(dest, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[name], compresslevel=9)


def checksums(directory: Path) -> str:
    """``sha256sum`` lines for every file under ``directory`` (relative paths, sorted), leaving
    out SHA256SUMS itself and the library-dependent files."""
    lines = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        if name != CHECKSUMS and path.suffix not in UNSUMMED:
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}")
    return "\n".join(lines) + "\n"


def _export_workbook(snap: Snapshot, dest: Path) -> None:
    from scripts.xlsx.export import ExportError, export_workbook

    try:
        export_workbook(snap.package, dest)
    except ExportError as exc:
        raise ReleaseError(f"workbook: {exc}") from None


def _data_files(snap: Snapshot, meta: PackageMeta, stage: Path) -> list[str]:
    """The downloadable data files (zip, CSV, Parquet, workbook, SQLite); their names, sorted."""
    generated = docs.render_docs(snap.package)
    zip_snapshot(snap, generated, stage / meta.zip_name())
    for name, table in snap.package.tables.items():
        shutil.copyfile(table.path, stage / f"{name}.csv")
        parquet.write_parquet(table, snap.rows[name], stage / parquet.parquet_name(table))
    _step("release-parquet-written")
    _export_workbook(snap, stage / f"{meta.name}.xlsx")
    sqlite.build_sqlite(snap.package, snap.rows, meta, snap.digests, stage / f"{meta.name}.sqlite")
    for name, text in generated.items():
        (stage / name).write_text(text, encoding="utf-8")
    return sorted(p.name for p in stage.iterdir() if p.suffix in {".zip", ".csv", ".parquet", ".xlsx", ".sqlite"})


def build_into(snap: Snapshot, meta: PackageMeta, stage: Path, diff: PackageDiff | None) -> None:
    """Write every release file of the snapshot into the empty folder ``stage``."""
    from scripts.site.build import render_pages, write_site
    from scripts.site.model import site_data

    files = _data_files(snap, meta, stage)
    (stage / "datasette-metadata.json").write_text(json_text(sqlite.datasette_metadata(snap.package, meta)),
                                                   encoding="utf-8")
    if diff is not None:
        (stage / "changes.json").write_text(json_text(diff_json(diff)), encoding="utf-8")
    (stage / "schema-org.jsonld").write_text(
        html_safe_json_text(portals.schema_org(meta, snap.package, snap.rows, files)), encoding="utf-8")
    (stage / "zenodo.json").write_text(json_text({"metadata": portals.zenodo(meta, snap.rows)}), encoding="utf-8")
    (stage / "zenodo-record.json").write_text(json_text(portals.zenodo_record(meta, snap.rows)), encoding="utf-8")
    (stage / "ckan-package.json").write_text(json_text(portals.ckan(meta, snap.rows, files)), encoding="utf-8")
    write_site(render_pages(site_data(snap.package, snap.rows)), stage / SITE)
    _step("release-site-written")
    (stage / CHECKSUMS).write_text(checksums(stage), encoding="utf-8")
    _publishable(stage)


def _publishable(stage: Path) -> None:
    """Readable by everyone, as a published folder should be (the stage is private)."""
    for path in [stage, *stage.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def check_dist(dist: Path) -> None:
    """Refuse a dist/ holding files a release would not write, since it is replaced whole."""
    if not dist.exists():
        return
    if not dist.is_dir():
        raise ReleaseError(f"{dist} is not a folder")
    foreign = sorted(p.name for p in dist.iterdir()
                     if not (p.is_file() and (p.suffix in RELEASE_SUFFIXES or p.name == CHECKSUMS))
                     and not (p.is_dir() and p.name == SITE))
    if foreign:
        raise ReleaseError(f"{dist} holds files a release did not write ({', '.join(foreign)}); "
                           "move them or choose another --dist")


def previous_diff(snap: Snapshot, root: Path, previous: str | None) -> PackageDiff | None:
    """The diff against ``previous`` (folder, zip or git ref), else the last git tag of another
    version, else None (first release)."""
    spec = previous or previous_tag(root, snap.package.version)
    if spec is None:
        return None
    with open_version(spec, root) as old:
        return diff_packages(old, snap.package, snap.rows)


def _refusals(snap: Snapshot, root: Path, sources: Path | None) -> list[Problem]:
    from scripts.validate import validate_package

    problems = list(validate_package(snap.root, sources))
    try:
        meta = package_meta(snap.package)
    except KeyError as exc:
        return [*problems, Problem("datapackage.json", None, str(exc).strip("'"), None, "release-metadata",
                                   f"datapackage.json has no top-level {exc} (needed to publish)",
                                   "add it; see the Publishing section of the README")]
    return problems + stale_problems(root, snap, meta)


def release(root: Path, dist: Path | None = None, sources: Path | None = None,
            previous: str | None = None) -> ReleaseResult:
    """Validate the package at ``root`` and build its release into ``dist`` (default root/dist).

    Raises ReleaseRefused (nothing written) when the package is not releasable, ReleaseError or
    OSError (nothing written; dist/ keeps the previous release) when the build cannot run.
    """
    started = time.perf_counter()
    root = Path(root).resolve()
    dist = Path(dist).resolve() if dist is not None else root / "dist"
    with package_lock(root):
        recover(root)  # an import killed mid-switch: finish or undo it before reading the tables
        recover_dir(dist)
        check_dist(dist)
        with take_snapshot(root) as snap:
            _step("release-snapshot")
            problems = _refusals(snap, root, sources)
            if problems:
                raise ReleaseRefused(problems)
            meta = package_meta(snap.package)
            diff = previous_diff(snap, root, previous)
            dist.parent.mkdir(parents=True, exist_ok=True)
            stage = make_stage(dist)
            try:
                build_into(snap, meta, stage, diff)
                _step("release-staged")
                swap_dir(stage, dist)
            finally:
                shutil.rmtree(stage, ignore_errors=True)
    files = {p.relative_to(dist).as_posix(): p.stat().st_size for p in sorted(dist.iterdir()) if p.is_file()}
    return ReleaseResult(dist, files, time.perf_counter() - started)
