// Sort and filter the data tables of the static site. No library, no network; works from file://.
// A page may be opened with ?q=TEXT (or #q=TEXT) to pre-fill the filter, and ?sort=FIELD&dir=desc
// to pre-sort, so links (and the browser tests) can share a view.
"use strict";

(function () {
  function cellText(row, col) {
    // A cell may say what it sorts by (a figure shown with its unit sorts by its number).
    var cell = row.cells[col];
    if (!cell) return "";
    var sortBy = cell.getAttribute("data-sort");
    return sortBy !== null ? sortBy : cell.textContent.trim();
  }

  function compare(a, b, numeric) {
    if (a === b) return 0;
    if (a === "") return 1;
    if (b === "") return -1;
    if (numeric && !isNaN(Number(a)) && !isNaN(Number(b))) return Number(a) - Number(b);
    return a.localeCompare(b, "en", { numeric: true, sensitivity: "base" });
  }

  function sortTable(table, col, descending) {
    var body = table.tBodies[0];
    var header = table.tHead.rows[0].cells[col];
    var numeric = header.getAttribute("data-type") === "number";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) {
      var order = compare(cellText(x, col), cellText(y, col), numeric);
      if (descending && cellText(x, col) !== "" && cellText(y, col) !== "") order = -order;
      return order || Number(x.getAttribute("data-order")) - Number(y.getAttribute("data-order"));
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function filterTable(table, input, output) {
    var query = input.value.trim().toLowerCase();
    var rows = table.tBodies[0].rows;
    var shown = 0;
    Array.prototype.forEach.call(rows, function (row) {
      var match = query === "" || row.textContent.toLowerCase().indexOf(query) !== -1;
      row.hidden = !match;
      if (match) shown += 1;
    });
    if (output) output.textContent = shown + " of " + rows.length + " rows shown";
  }

  function params() {
    var found = new URLSearchParams(location.search);
    new URLSearchParams(location.hash.replace(/^#/, "")).forEach(function (value, key) {
      if (!found.has(key)) found.set(key, value);
    });
    return found;
  }

  function columnFor(table, key) {
    var cells = table.tHead.rows[0].cells;
    for (var i = 0; i < cells.length; i += 1) {
      if (cells[i].getAttribute("data-key") === key) return i;
    }
    return -1;
  }

  function setUp(table, query) {
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, i) { row.setAttribute("data-order", i); });
    table.tHead.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-col]");
      if (!button) return;
      var th = button.parentElement;
      sortTable(table, Number(button.getAttribute("data-col")), th.getAttribute("aria-sort") === "ascending");
    });
    var input = document.getElementById(table.getAttribute("data-filter"));
    if (input) {
      var output = document.getElementById(input.id + "-count");
      input.addEventListener("input", function () { filterTable(table, input, output); });
      if (query.has("q")) input.value = query.get("q");
      filterTable(table, input, output);
    }
    var col = query.has("sort") ? columnFor(table, query.get("sort")) : -1;
    if (col >= 0) sortTable(table, col, query.get("dir") === "desc");
  }

  function start() {
    var query = params();
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
      setUp(table, query);
    });
    document.documentElement.setAttribute("data-script", "ready");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
