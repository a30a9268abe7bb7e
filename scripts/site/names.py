"""The few table and column names the site must know, kept in one place.

Everything else (which tables exist, their fields, which tables point at meetings) is read from
the descriptor and the Table Schemas, so renamed or added tables need no change here unless one
of the names below itself changes.
"""

from __future__ import annotations

# The table whose rows get a page each, and the fields drawn on the timeline.
MEETINGS = "meetings"
MEETING_LABEL_FIELDS = ("name", "meeting_id")
MEETING_DATE_START = "date_start"
MEETING_DATE_END = "date_end"
MEETING_CITY = "city"
MEETING_DESCRIPTION = "description"

# The citations table and its columns.
CITATIONS = "citations"
CITE_TABLE = "table_name"
CITE_RECORD = "record_id"
CITE_FIELD = "field_name"
CITE_SOURCE = "source_id"
CITE_LINE_START = "line_start"
CITE_LINE_END = "line_end"
CITE_SUPPORT = "support"
CITE_EVIDENCE = "evidence"

# The sources table: the fields listed on the index page (those present are shown, in this order).
SOURCES = "sources"
SOURCE_FILE = "file_name"
SOURCE_TITLE = "title"
SOURCE_INDEX_FIELDS = ("title", "published", "file_name", "sha256")
# Where a source was published, shown with it wherever it appears (empty where the text does not say).
SOURCE_OUTLET, SOURCE_URL, SOURCE_ACCESSED = "outlet", "url", "accessed"

# The figures table and the indicator codes drawn on the trade chart, with their legend names.
INDICATORS = "indicators"
TRADE_INDICATORS = {
    "intraregional_trade": "Trade among the Central Asian states",
    "bilateral_trade": "Bilateral trade",
}
IND_CODE = "indicator_code"
IND_VALUE = "value"
IND_UNIT = "unit"
IND_SCALE = "scale"
IND_PERIOD_START = "period_start"
IND_PERIOD_END = "period_end"
IND_KIND = "value_kind"
IND_SCOPE_FIELDS = ("scope", "state_id", "partner_state_id")
IND_SOURCE = "source_id"
