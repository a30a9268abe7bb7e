"""The site's layout in headless Chromium, at a desktop width (1280 px) and a phone's (390 px):
nothing but the table and chart scrollers runs past the right edge, no text is smaller than 12 px,
ids stay on one line, and each page is saved as a screenshot in the test output folder
(``$CAC_TEST_OUTPUT``, else ``test-output/`` at the repository root) for a person to look at.

Then the Downloads section of a real release, served over HTTP as it is published (the site in
one place, the files at the descriptor's download base): every link is fetched by the browser and
its bytes must be the file in dist/, with the size and SHA-256 the section shows."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import struct
import subprocess
import threading
from html import unescape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scripts.site import build_site

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (1280, 390)
MIN_FONT_PX = 12.0
PAGES = ("index.html", "tables/meetings.html", "tables/indicators.html", "meetings/ca-consultative-6.html",
         "leaders.html", "timeline.html", "trade.html")

pytestmark = pytest.mark.chromium

MEASURE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>layout</title>
<style>iframe {{ border: 0; display: block; }}</style></head><body>
<pre id="result">pending</pre>
{frames}
<script>
function inside(el, doc) {{  // within a region that scrolls sideways on purpose, or the hidden skip link
  for (; el && el !== doc.body; el = el.parentElement) {{
    if (el.matches(".scroll, figure.chart, .skip")) return true;
  }}
  return false;
}}
function lines(cell, doc) {{  // how many lines a cell's text takes (a raised citation mark is no line)
  var range = doc.createRange(); range.selectNodeContents(cell);
  var rects = Array.prototype.filter.call(range.getClientRects(), function (r) {{ return r.width > 0; }});
  if (!rects.length) return 0;
  var top = Math.min.apply(null, rects.map(function (r) {{ return r.top; }}));
  var bottom = Math.max.apply(null, rects.map(function (r) {{ return r.bottom; }}));
  return Math.round((bottom - top) / parseFloat(getComputedStyle(cell).lineHeight));
}}
window.addEventListener("load", function () {{
  var out = [];
  document.querySelectorAll("iframe").forEach(function (frame) {{
    var doc = frame.contentDocument, view = doc.documentElement.clientWidth, smallest = 1000, small = "";
    var past = [];
    doc.querySelectorAll("body *").forEach(function (el) {{
      var box = el.getBoundingClientRect();
      if (box.width && box.right > view + 1 && !inside(el, doc)) past.push(el.tagName + "." + el.className);
      var own = Array.prototype.some.call(el.childNodes, function (n) {{
        return n.nodeType === 3 && n.textContent.trim(); }});
      if (!own || inside(el, doc) && el.closest(".skip") || !el.getClientRects().length) return;
      var size = parseFloat(getComputedStyle(el).fontSize);
      if (el instanceof SVGElement && el.getScreenCTM()) size *= el.getScreenCTM().a;
      if (size < smallest) {{ smallest = size; small = el.tagName + ":" + el.textContent.trim().slice(0, 30); }}
    }});
    var towers = Array.prototype.filter.call(doc.querySelectorAll("td.key"), function (c) {{
      return lines(c, doc) > 1; }});
    out.push([frame.getAttribute("data-page"), frame.width, view, doc.documentElement.scrollWidth,
              past.slice(0, 3).join(" "), smallest.toFixed(1), small, towers.length,
              doc.querySelectorAll("td.key").length].join("\\t"));
  }});
  document.getElementById("result").textContent = out.join("\\n");
}});
</script></body></html>
"""


def output_folder() -> Path:
    folder = Path(os.environ.get("CAC_TEST_OUTPUT", ROOT / "test-output")) / "site"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("layout") / "site"
    build_site(ROOT, dest)
    return dest


def test_every_page_reads_at_desktop_and_phone_widths(site: Path, load) -> None:
    frames = "\n".join(f'<iframe src="site/{p}" data-page="{p}" width="{w}" height="900" title="{p}"></iframe>'
                       for w in WIDTHS for p in PAGES)
    harness = site.parent / "measure.html"
    harness.write_text(MEASURE.format(frames=frames), encoding="utf-8")
    loaded = load(harness.as_uri(), "--allow-file-access-from-files", "--hide-scrollbars")
    assert loaded.console == []
    rows = [line.split("\t") for line in
            unescape(re.search(r'<pre id="result">(.*?)</pre>', loaded.dom, re.S).group(1)).splitlines()]
    assert len(rows) == len(PAGES) * len(WIDTHS)
    keys = {}
    for page, width, view, scroll, past, smallest, small, towers, key_cells in rows:
        where = f"{page} at {width} px"
        assert int(scroll) <= int(view), f"{where}: the page is {scroll} px wide in a {view} px view ({past})"
        assert past == "", f"{where}: past the right edge: {past}"
        assert float(smallest) >= MIN_FONT_PX, f"{where}: text at {smallest} px ({small})"
        assert towers == "0", f"{where}: {towers} of {key_cells} id cells wrap onto several lines"
        keys[(page, width)] = int(key_cells)
    assert keys[("tables/meetings.html", "390")] > 19 and keys[("tables/indicators.html", "1280")] > 15


def test_screenshots_at_both_widths_are_saved(site: Path, chromium: str, tmp_path: Path) -> None:
    folder = output_folder()
    for page in PAGES:
        for width in WIDTHS:
            shot = folder / f"{page.replace('/', '-').removesuffix('.html')}-{width}.png"
            shot.unlink(missing_ok=True)
            done = subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                                   f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
                                   f"--window-size={width},1400", f"--screenshot={shot}", (site / page).as_uri()],
                                  capture_output=True, text=True, timeout=60, check=False)
            assert done.returncode == 0, done.stderr[-2000:]
            assert png_size(shot) == (width, 1400), shot


FETCH = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>downloads</title></head><body>
<pre id="result">pending</pre>
<iframe src="site/index.html" title="index"></iframe>
<script>
function hex(buffer) {
  return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
    return ("0" + b.toString(16)).slice(-2); }).join("");
}
window.addEventListener("load", function () {
  var doc = document.querySelector("iframe").contentDocument;
  var rows = Array.prototype.slice.call(doc.querySelectorAll("#downloads ~ * tr, #downloads ~ details tr"))
    .filter(function (tr) { return tr.querySelector("td.key a"); });
  Promise.all(rows.map(function (tr) {
    var a = tr.querySelector("td.key a");
    return fetch(a.href).then(function (response) {
      return response.arrayBuffer().then(function (body) {
        return crypto.subtle.digest("SHA-256", body).then(function (digest) {
          return [a.textContent, a.href, response.status, body.byteLength, hex(digest),
                  tr.querySelector("td.size").getAttribute("data-sort"), tr.querySelector("td.digest").textContent,
                  tr.querySelector("td.open").textContent].join("\\t");
        });
      });
    });
  })).then(function (lines) { document.getElementById("result").textContent = lines.join("\\n"); },
           function (error) { document.getElementById("result").textContent = "error: " + error; });
});
</script></body></html>
"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server(tmp_path: Path):
    web = tmp_path / "web"
    web.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(web)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield web, httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_every_download_link_fetches_the_file_in_dist(server, tmp_path: Path, load) -> None:
    """A release whose download base is a local server; the site and the files are published
    apart, as the README says. The browser follows every link of the Downloads section."""
    from scripts.commands import release_steps
    from scripts.release.build import release
    from scripts.release.generated import write_generated
    from tests.data.release_support import copy_release_inputs

    web, port = server
    src = copy_release_inputs(tmp_path / "pkg")
    descriptor = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["cac:download_base"] = f"http://127.0.0.1:{port}/download/v{{version}}/"
    (src / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    write_generated(src)
    dist = release(src, release_steps(), tmp_path / "dist").dist
    (web / "site").symlink_to(dist / "site")
    (web / "download").mkdir()
    (web / "download" / f"v{descriptor['version']}").symlink_to(dist)
    (web / "fetch.html").write_text(FETCH, encoding="utf-8")
    loaded = load(f"http://127.0.0.1:{port}/fetch.html", "--virtual-time-budget=20000")
    assert loaded.console == []
    result = unescape(re.search(r'<pre id="result">(.*?)</pre>', loaded.dom, re.S).group(1))
    assert not result.startswith(("error", "pending")), result
    fetched = [line.split("\t") for line in result.splitlines()]
    name = descriptor["name"]
    expected = {f"{name}-{descriptor['version']}.zip", f"{name}.xlsx", f"{name}.sqlite", "datapackage.json",
                "data-dictionary.md", "erd.svg",
                *(f"{r['name']}{s}" for r in descriptor["resources"] for s in (".csv", ".parquet"))}
    assert sorted(f[0] for f in fetched) == sorted(expected)
    for file_name, href, status, size, digest, shown_size, shown_digest, open_with in fetched:
        on_disk = (dist / file_name).read_bytes()
        assert href == f"http://127.0.0.1:{port}/download/v{descriptor['version']}/{file_name}"
        assert status == "200" and int(size) == len(on_disk) == int(shown_size), file_name
        assert digest == hashlib.sha256(on_disk).hexdigest() == shown_digest.strip(), file_name
        assert open_with, file_name
    sums = dict(reversed(line.split("  ")) for line in (dist / "SHA256SUMS").read_text().splitlines())
    assert all(sums[f[0]] == f[4] for f in fetched if not f[0].endswith(".sqlite"))
