"""Static site of the data package: an index, a page per table and per meeting, a timeline and a
trade chart, built offline from the package (``python -m scripts site``, and by every release)."""

from scripts.site.build import build_site, render_site
from scripts.site.model import SiteDataError

__all__ = ["SiteDataError", "build_site", "render_site"]
