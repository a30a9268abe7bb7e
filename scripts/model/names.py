"""The table and column names that code refers to, defined once.

Everything else about a table (its fields, keys, types, constraints) is read from its Table Schema;
only the names that code must say out loud live here — the tables the named rules, the site and
the release speak about, and the columns several modules read. A test checks that each name below
exists in the descriptor and schemas, so renaming a table or column in a schema fails loudly here
instead of silently switching a rule off.
"""

from __future__ import annotations

DESCRIPTOR = "datapackage.json"
PROVENANCE_LOCK = "provenance.lock"  # what a run with the source texts proved, at the package root
KEY_SEPARATOR = "/"  # a record's primary-key values joined, as citations.record_id writes them

# Tables.
ATTENDANCE = "attendance"
CHAIRMANSHIPS = "chairmanships"
CITATIONS = "citations"
DOCUMENTS = "documents"
INDICATORS = "indicators"
MEETING_FORMATS = "meeting_formats"
MEETING_TOPICS = "meeting_topics"
MEETINGS = "meetings"
MEMBERSHIPS = "memberships"
OFFICES = "offices"
PERSONS = "persons"
PROJECTS = "projects"
SIGNATORIES = "document_signatories"
SOURCES = "sources"
STATEMENTS = "statements"
STATES = "states"

# Columns shared by several tables or read by several modules: (table or "*", column).
INFERENCE_NOTE = "inference_note"  # any table's explanation of its inferred values
MEETING_ID = "meeting_id"
STATE_ID = "state_id"
PERSON_ID = "person_id"
DATE_START, DATE_END = "date_start", "date_end"  # meetings

# citations
CITE_TABLE, CITE_RECORD, CITE_FIELD = "table_name", "record_id", "field_name"
CITE_SOURCE, CITE_LINE_START, CITE_LINE_END = "source_id", "line_start", "line_end"
CITE_SUPPORT, CITE_EVIDENCE = "support", "evidence"

# sources
SOURCE_ID, SOURCE_FILE, SOURCE_SHA256 = "source_id", "file_name", "sha256"
SOURCE_TITLE, SOURCE_PUBLISHED = "title", "published"
SOURCE_OUTLET, SOURCE_URL = "outlet", "url"  # empty where the text does not say

# persons, offices, memberships, states (the leaders view)
FULL_NAME, STATE_NAME = "full_name", "name"
OFFICE_ID, OFFICE_TITLE, OFFICE_KIND = "office_id", "title", "office_kind"
AS_OF, IS_AS_OF_INFERRED = "as_of", "is_as_of_inferred"

# indicators
IND_CODE, IND_VALUE, IND_UNIT, IND_SCALE = "indicator_code", "value", "unit", "scale"
IND_PERIOD_START, IND_PERIOD_END, IND_KIND = "period_start", "period_end", "value_kind"
IND_SCOPE_FIELDS = ("scope", "state_id", "partner_state_id")

# Every (table, column) above that code relies on; tests/unit/test_model.py checks them all.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    MEETINGS: (MEETING_ID, DATE_START, DATE_END, INFERENCE_NOTE),
    ATTENDANCE: (MEETING_ID, STATE_ID, PERSON_ID),
    CITATIONS: (CITE_TABLE, CITE_RECORD, CITE_FIELD, CITE_SOURCE, CITE_LINE_START, CITE_LINE_END,
                CITE_SUPPORT, CITE_EVIDENCE),
    SOURCES: (SOURCE_ID, SOURCE_FILE, SOURCE_SHA256, SOURCE_TITLE, SOURCE_PUBLISHED, SOURCE_OUTLET, SOURCE_URL),
    INDICATORS: (IND_CODE, IND_VALUE, IND_UNIT, IND_SCALE, IND_PERIOD_START, IND_PERIOD_END, IND_KIND,
                 *IND_SCOPE_FIELDS),
    PERSONS: (PERSON_ID, STATE_ID, FULL_NAME),
    MEMBERSHIPS: (PERSON_ID, STATE_ID, OFFICE_ID, AS_OF, IS_AS_OF_INFERRED),
    STATES: (STATE_ID, STATE_NAME),
    CHAIRMANSHIPS: (STATE_ID,),
    DOCUMENTS: (MEETING_ID,),
    SIGNATORIES: (STATE_ID, PERSON_ID, MEETING_ID),
    STATEMENTS: (PERSON_ID, STATE_ID, MEETING_ID),
    MEETING_TOPICS: (MEETING_ID,),
    MEETING_FORMATS: (),
    OFFICES: (OFFICE_ID, OFFICE_TITLE, OFFICE_KIND),
}
