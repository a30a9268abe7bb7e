"""Render every page in memory, then write the site to a staging folder beside ``dest`` and
swap it in, so a reader never sees half a site and a failed build leaves the old one."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from scripts.model.downloads import Downloads
from scripts.site.figures import timeline_page, trade_page
from scripts.site.html import esc, json_ld, page
from scripts.site.index import index_page
from scripts.site.leaders import leaders_page
from scripts.site.model import SiteData, load_site_data, slug
from scripts.site.pages import meeting_page, table_page

ASSETS = Path(__file__).resolve().parent / "assets"


def render_site(root: Path, downloads: Downloads | None = None) -> dict[str, bytes]:
    """Every file of the site of the package under ``root``: relative path -> bytes, sorted."""
    return render_pages(load_site_data(root), downloads)


def render_pages(data: SiteData, downloads: Downloads | None = None) -> dict[str, bytes]:
    """Every file of the site of loaded ``data``: relative path -> bytes, in sorted path order.
    ``downloads`` (from a release, or names alone) fills the index's Downloads section and gives
    the JSON-LD it embeds; without it the files are listed by name and there is no JSON-LD."""
    footer = _footer(data)
    pages: dict[str, tuple[tuple[str, str, str], int]] = {
        "index.html": (index_page(data, downloads), 0),
        "leaders.html": (leaders_page(data), 0),
        "timeline.html": (timeline_page(data), 0),
        "trade.html": (trade_page(data), 0),
    }
    for table in data.package.tables.values():
        pages[f"tables/{slug(table.name)}.html"] = (table_page(data, table), 1)
    if data.meetings is not None:
        for row in data.rows[data.meetings.name]:
            pages[f"meetings/{slug(data.meetings.record_key(row))}.html"] = (meeting_page(data, row), 1)
    head = json_ld(downloads.jsonld) if downloads is not None and downloads.jsonld else ""
    files = {path: page(f"{title} · {data.package.title}" if path != "index.html" else title, body, depth,
                        footer=footer, description=description,
                        head=head if path == "index.html" else "").encode("utf-8")
             for path, ((title, body, description), depth) in pages.items()}
    for asset in sorted(ASSETS.iterdir()):
        if asset.is_file():
            files[f"assets/{asset.name}"] = asset.read_bytes()
    return dict(sorted(files.items()))


def _footer(data: SiteData) -> str:
    desc = data.package.descriptor
    licences = ", ".join(str(x.get("name", "")) for x in desc.get("licenses", []) if isinstance(x, dict))
    return (f"{esc(data.package.title)}, version {esc(data.package.version)}. "
            f"Data licence: {esc(licences)}. Built from the package; works offline.")


def build_site(root: Path, dest: Path, downloads: Downloads | None = None) -> list[Path]:
    """Build the site of the package under ``root`` into ``dest`` (replaced whole); return the
    files written, sorted."""
    return write_site(render_site(Path(root), downloads), Path(dest))


def write_site(files: dict[str, bytes], dest: Path) -> list[Path]:
    """Write rendered ``files`` to a staging folder beside ``dest``, then swap it in."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        for rel, payload in files.items():
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(payload)
        _open_permissions(stage)
        _swap(stage, dest)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return [dest / rel for rel in files]


def _open_permissions(stage: Path) -> None:
    """mkdtemp makes a private folder; give it the mode a normal mkdir would."""
    mask = os.umask(0)
    os.umask(mask)
    stage.chmod(0o777 & ~mask)


def _swap(stage: Path, dest: Path) -> None:
    """Replace ``dest`` by ``stage``: the old site is moved aside, then deleted."""
    if not dest.exists():
        stage.rename(dest)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
    old.rmdir()
    dest.rename(old)
    try:
        stage.rename(dest)
    except BaseException:
        old.rename(dest)
        raise
    shutil.rmtree(old, ignore_errors=True)
