"""Static site of the data package: an index, a page per table and per meeting, a timeline and a
trade chart, built offline from the package (``python -m scripts.site ROOT DEST``)."""

from scripts.site.build import build_site, main, render_site

__all__ = ["build_site", "main", "render_site"]
