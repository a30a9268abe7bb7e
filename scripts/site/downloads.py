"""The index's Downloads section: every file of the release with its format, size, SHA-256 and
the programs that open it.

The list comes from the release (:class:`scripts.model.downloads.Downloads`, handed over by the
command layer once the files are written, so sizes and digests are those of the files shipped).
A site built alone (``python -m scripts site``) gets the names only and says that sizes and
digests come with a release. Each file links to its download address: the descriptor's
``cac:download_base`` with the version filled in, where the release's files are published (the
site itself is published apart from them, see the README's Publishing section); a package without
a web download base links to the file beside the site's folder (``../<file>``, as in ``dist/``).
"""

from __future__ import annotations

from scripts.model.downloads import CHECKSUMS, Downloads, ReleaseFile
from scripts.model.meta import PackageMeta
from scripts.site.html import Cell, data_table, esc, link

HEADERS = [("File", "text"), ("Format", "text"), ("Size", "number"), ("SHA-256", "text"), ("Open it with", "text")]
NAMED = (0, 1, 4)  # the columns a site built without a release shows (no sizes or digests yet)
UNITS = ("bytes", "kB", "MB", "GB")


def href(meta: PackageMeta, name: str) -> str:
    """The file's download address, else its place beside the site in dist/."""
    return meta.url(name) or f"../{name}"


def size_text(size: int | None) -> str:
    """Bytes in words a reader compares at a glance (decimal units, as file managers show them)."""
    if size is None:
        return "with a release"
    value, unit = float(size), 0
    while value >= 1000 and unit < len(UNITS) - 1:
        value, unit = value / 1000, unit + 1
    return f"{size:,} bytes" if unit == 0 else f"{value:.1f} {UNITS[unit]}"


def _row(meta: PackageMeta, item: ReleaseFile, released: bool) -> tuple[str, list[str | Cell]]:
    cells: list[str | Cell] = [Cell(link(href(meta, item.name), item.name), "key"), Cell(esc(item.format), "format"),
                               Cell(esc(size_text(item.size)), "size", sort=str(item.size or "")),
                               Cell(f'<code class="digest">{esc(item.sha256 or "")}</code>', "digest"),
                               Cell(esc(item.open_with), "open")]
    return "", cells if released else [cells[i] for i in NAMED]


def _table(meta: PackageMeta, caption: str, files: tuple[ReleaseFile, ...], table_id: str, released: bool) -> str:
    headers = HEADERS if released else [HEADERS[i] for i in NAMED]
    return data_table(caption, headers, [_row(meta, f, released) for f in files], table_id=table_id,
                      interactive=False, css="downloads")


def downloads_section(meta: PackageMeta, downloads: Downloads) -> str:
    """The section: the whole dataset, each table (folded: 42 files), and files about the data."""
    released = downloads.released
    if released:
        note = (f'<p>Sizes and SHA-256 digests are those of the files of this release; '
                f'{link(href(meta, CHECKSUMS), CHECKSUMS)} lists every digest, to check a download with '
                "<code>sha256sum -c</code>.</p>\n")
    else:
        note = ("<p>This site was built without a release (<code>python -m scripts site</code>), so the "
                "files are listed by name only: their sizes and SHA-256 digests are shown once a release "
                "(<code>python -m scripts release</code>) writes the files and this section together.</p>\n")
    count = len(downloads.tables)
    return ('<section aria-labelledby="downloads"><h2 id="downloads">Downloads</h2>\n'
            f"<p>Version {esc(meta.version)}, under {esc(meta.license.title)}. Every format holds the same "
            "records; choose the one your tools read.</p>\n" + note
            + _table(meta, "The whole dataset", downloads.package, "downloads-package", released)
            + f'<details class="downloads"><summary>Each table on its own, as CSV and as Parquet ({count} files)'
              "</summary>\n"
            + _table(meta, "Each table on its own", downloads.tables, "downloads-tables", released) + "</details>\n"
            + _table(meta, "About the data", downloads.about, "downloads-about", released)
            + "</section>\n")
