"""The static site in a real browser (Debian's headless Chromium), opened from the file system:
every page reachable from the index loads and runs its script without a console message, and
filtering and sorting change the rows shown."""

from __future__ import annotations

import csv
import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from scripts.cli import main as cli_main
from scripts.site import build_site

ROOT = Path(__file__).resolve().parents[2]
TABLE = "meetings"
FILTER = "astana"
SORT_FIELD = "date_start"

pytestmark = pytest.mark.chromium

HARNESS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>harness</title></head><body>
<pre id="result">pending</pre>
{frames}
<script>
window.addEventListener("load", function () {{
  var lines = [];
  document.querySelectorAll("iframe").forEach(function (frame) {{
    var doc = frame.contentDocument;
    var state = doc && doc.documentElement ? doc.documentElement.getAttribute("data-script") : "unreadable";
    var h1 = doc && doc.querySelector("h1") ? doc.querySelector("h1").textContent : "";
    lines.push(frame.getAttribute("data-page") + "\\t" + state + "\\t" + (h1 ? "h1" : "no-h1"));
  }});
  document.getElementById("result").textContent = lines.join("\\n");
}});
</script></body></html>
"""


CLICKER = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>clicks</title></head><body>
<pre id="result">pending</pre>
<iframe src="{page}" title="table"></iframe>
<script>
window.addEventListener("load", function () {{
  var doc = document.querySelector("iframe").contentDocument;
  function order() {{
    return Array.prototype.filter.call(doc.querySelectorAll("tbody tr"), function (r) {{ return !r.hidden; }})
      .map(function (r) {{ return r.id; }}).join(" ");
  }}
  var button = doc.querySelector('th[data-key="{key}"] button');
  var lines = [];
  button.click(); lines.push(order());
  button.click(); lines.push(order());
  var box = doc.querySelector('input[type="search"]');
  box.value = "{query}"; box.dispatchEvent(new Event("input")); lines.push(order());
  document.getElementById("result").textContent = lines.join("\\n");
}});
</script></body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("browser") / "site"
    build_site(ROOT, dest)
    return dest


def _rows(table: str) -> list[dict[str, str]]:
    with (ROOT / "tables" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _visible_row_ids(dom: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r'<tr id="([^"]+)"([^>]*)>', dom) if "hidden" not in m.group(2)]


def test_every_page_linked_from_the_index_loads_without_console_errors(site: Path, load) -> None:
    index = load((site / "index.html").as_uri())
    assert index.console == []
    assert 'data-script="ready"' in index.dom
    links = sorted({unescape(h) for h in re.findall(r'href="([^"#]+\.html)"', index.dom)})
    tables = [h for h in links if h.startswith("tables/")]
    assert sorted(f"tables/{p.name}" for p in (site / "tables").iterdir()) == tables
    frames = "\n".join(f'<iframe src="site/{h}" data-page="{h}" title="{h}"></iframe>' for h in links)
    harness = site.parent / "harness.html"
    harness.write_text(HARNESS.format(frames=frames), encoding="utf-8")
    loaded = load(harness.as_uri(), "--allow-file-access-from-files")
    assert loaded.console == []
    result = unescape(re.search(r'<pre id="result">(.*?)</pre>', loaded.dom, re.S).group(1)).splitlines()
    assert result == [f"{h}\tready\th1" for h in links]


def test_filter_from_the_url_shows_only_matching_rows(site: Path, load) -> None:
    page = load((site / "tables" / f"{TABLE}.html").as_uri() + f"?q={FILTER}")
    assert page.console == []
    rows = _rows(TABLE)
    expected = [f"r-{r['meeting_id']}" for r in rows if any(FILTER in v.lower() for v in r.values())]
    assert 0 < len(expected) < len(rows)
    assert _visible_row_ids(page.dom) == expected
    assert f"{len(expected)} of {len(rows)} rows shown" in page.dom
    assert f'value="{FILTER}"' in page.dom or f'id="filter-t-{TABLE}"' in page.dom


def test_sort_from_the_url_orders_rows_descending_with_blanks_last(site: Path, load) -> None:
    page = load((site / "tables" / f"{TABLE}.html").as_uri() + f"?sort={SORT_FIELD}&dir=desc")
    assert page.console == []
    rows = _rows(TABLE)  # stored in primary-key order: the tie-breaker
    dated = sorted((r for r in rows if r[SORT_FIELD]), key=lambda r: r[SORT_FIELD], reverse=True)  # stable
    expected = [f"r-{r['meeting_id']}" for r in dated + [r for r in rows if not r[SORT_FIELD]]]
    assert _visible_row_ids(page.dom) == expected
    assert re.search(rf'<th scope="col" data-type="text" data-key="{SORT_FIELD}" aria-sort="descending">', page.dom)


def test_clicking_a_heading_sorts_and_typing_filters(site: Path, load) -> None:
    harness = site.parent / "clicks.html"
    harness.write_text(CLICKER.format(page=f"site/tables/{TABLE}.html", key=SORT_FIELD, query=FILTER.upper()),
                       encoding="utf-8")
    loaded = load(harness.as_uri(), "--allow-file-access-from-files")
    assert loaded.console == []
    ascending, descending, filtered = unescape(
        re.search(r'<pre id="result">(.*?)</pre>', loaded.dom, re.S).group(1)).splitlines()
    rows = _rows(TABLE)
    dated = [r for r in rows if r[SORT_FIELD]]
    blank = [f"r-{r['meeting_id']}" for r in rows if not r[SORT_FIELD]]
    up = [f"r-{r['meeting_id']}" for r in sorted(dated, key=lambda r: r[SORT_FIELD])]
    down = [f"r-{r['meeting_id']}" for r in sorted(dated, key=lambda r: r[SORT_FIELD], reverse=True)]
    assert ascending.split() == up + blank
    assert descending.split() == down + blank
    matching = {f"r-{r['meeting_id']}" for r in rows if any(FILTER in v.lower() for v in r.values())}
    assert filtered.split() == [rid for rid in down + blank if rid in matching]


PROTOCOLS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>links</title></head><body>
<pre id="result">pending</pre>
{frames}
<script>
window.addEventListener("load", function () {{
  var lines = [];
  document.querySelectorAll("iframe").forEach(function (frame) {{
    var doc = frame.contentDocument, seen = {{}};
    doc.querySelectorAll("a, area").forEach(function (a) {{  // HTML and SVG anchors, as the browser resolves them
      var href = a.getAttribute("href") || a.getAttribute("xlink:href");
      if (href !== null) {{ seen[new URL(href, doc.baseURI).protocol] = true; }}
    }});
    var inline = Array.prototype.filter.call(doc.scripts, function (s) {{
      return !s.src && s.type !== "application/ld+json"; }}).length;
    var data = doc.querySelectorAll('script[type="application/ld+json"]');
    var title = data.length ? JSON.parse(data[0].textContent).name : "";
    lines.push(frame.getAttribute("data-page") + "\\t" + Object.keys(seen).sort().join(" ") + "\\t" + inline
               + "\\t" + doc.querySelectorAll("img, iframe, object, embed").length + "\\t" + data.length
               + "\\t" + title);
  }});
  document.getElementById("result").textContent = lines.join("\\n");
}});
</script></body></html>
"""
JS = "javascript:alert(document.domain)"


def test_javascript_urls_in_the_descriptor_are_never_links_on_the_site(tmp_path: Path, load) -> None:
    """A package whose homepage and licence paths are javascript: URLs (one hidden by a tab, which
    browsers strip from a URL) and whose title holds markup, built by the site verb (validation
    would refuse it): in Chromium, no anchor of any page has the javascript: protocol, no script,
    image or frame came from the text, and the index's JSON-LD is one data block that still reads
    as the title (its ``</script>`` escaped, not ending the element)."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for name in ("schemas", "tables"):
        shutil.copytree(ROOT / name, pkg / name)
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["homepage"] = JS
    descriptor["title"] = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    licence = descriptor["licenses"][0]
    descriptor["licenses"] = [{**licence, "path": JS}, {**licence, "path": "java\tscript:alert(3)", "title": "Tab"}]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    site = tmp_path / "site"
    assert cli_main(["site", str(pkg), "--output", str(site)]) == 0
    pages = ["index.html", f"tables/{TABLE}.html", "timeline.html"]
    frames = "\n".join(f'<iframe src="site/{p}" data-page="{p}" title="{p}"></iframe>' for p in pages)
    harness = tmp_path / "links.html"
    harness.write_text(PROTOCOLS.format(frames=frames), encoding="utf-8")
    loaded = load(harness.as_uri(), "--allow-file-access-from-files")
    result = unescape(re.search(r'<pre id="result">(.*?)</pre>', loaded.dom, re.S).group(1)).splitlines()
    protocols = {"index.html": "file: https:"}  # the downloads link to the release's https download base
    ld = {"index.html": ["1", descriptor["title"]]}  # one JSON-LD block, only on the index
    assert result == ["\t".join([p, protocols.get(p, "file:"), "0", "0", *ld.get(p, ["0", ""])]) for p in pages]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0" in index and "Tab" in index  # the licences still named, as text
