"""The rule catalogue: every rule validation reports, with its id, kind, message and hint.

Why one catalogue: a rule id is a public name (reports, ``--format json``, SARIF, tests and the
CHANGELOG use it), so it is defined once with the words that explain it; the code that checks a
rule (a pandera check built from the Table Schemas, or a named rule in :mod:`scripts.validate`)
looks its words up here. The kind ranks findings: a problem of a more basic kind hides those of
later kinds at the same cell, row or column (one mistake, one line).

Kinds: ``file`` (the bytes of a file), ``descriptor`` (a value of ``datapackage.json`` that becomes a
link, a file name, a version or text people read), ``structure`` (header and rows), ``schema`` (what a Table
Schema says), ``rule`` (named rules a Table Schema cannot express) and ``provenance`` (citations
against the source texts).
"""

from __future__ import annotations

from dataclasses import dataclass

FILE, DESCRIPTOR, STRUCTURE, SCHEMA, RULE, PROVENANCE = (
    "file", "descriptor", "structure", "schema", "rule", "provenance")
RANKS = {FILE: 0, DESCRIPTOR: 0, STRUCTURE: 1, SCHEMA: 2, RULE: 3, PROVENANCE: 3}


@dataclass(frozen=True)
class RuleInfo:
    """One rule: ``message`` is the report's line when the check gives none of its own."""

    id: str
    kind: str
    message: str
    hint: str

    @property
    def rank(self) -> int:
        return RANKS[self.kind]


CATALOGUE: dict[str, RuleInfo] = {}


def _add(kind: str, rule_id: str, message: str, hint: str) -> str:
    CATALOGUE[rule_id] = RuleInfo(rule_id, kind, message, hint)
    return rule_id


def info(rule_id: str) -> RuleInfo:
    """The catalogue entry of ``rule_id`` (KeyError names an unknown rule)."""
    try:
        return CATALOGUE[rule_id]
    except KeyError:
        raise KeyError(f"rule {rule_id!r} is not in scripts/model/catalogue.py") from None


def hint(rule_id: str) -> str:
    return CATALOGUE[rule_id].hint if rule_id in CATALOGUE else ""


# --------------------------------------------------------------------------- the files themselves
MISSING_FILE = _add(FILE, "missing-file", "the file is listed in datapackage.json but does not exist",
                    "restore the file or fix its path in datapackage.json")
UNREADABLE_FILE = _add(FILE, "unreadable-file", "the file cannot be read", "check the file's permissions")
NOT_REGULAR = _add(FILE, "not-a-regular-file", "the path is not a regular file (a FIFO, socket, device or folder)",
                   "replace it with a regular file (a FIFO, socket, device or folder is never read)")
CELL_TOO_LONG = _add(FILE, "cell-too-long", "the cell is longer than a spreadsheet cell may be (Excel's limit)",
                     "shorten the text: every cell must fit in a spreadsheet cell (Excel's limit)")
UNSAFE_PATH = _add(FILE, "unsafe-path", "the resource's path leaves the package; the file was not read",
                   "give the resource a path relative to the package folder, inside it")
BOM = _add(FILE, "byte-order-mark", "the file starts with a UTF-8 byte-order mark",
           "save the file as UTF-8 without a byte-order mark (BOM)")
ENCODING = _add(FILE, "encoding-error", "bytes of the file are not UTF-8",
                "save the file as UTF-8; the bytes shown are not valid UTF-8")
CRLF = _add(FILE, "crlf-line-ending", "lines end with CRLF", "save the file with LF (Unix) line endings")
BLANK_HEADER = _add(FILE, "blank-header", "the file is empty: it has no header row",
                    "the file needs its header row: the field names, in the schema's order")
UNCLOSED_QUOTE = _add(FILE, "unclosed-quote", "a quoted cell is never closed, so the file cannot be split into rows",
                      "find the cell that starts with a double quote and close it (a quote inside a quoted cell "
                      "is written twice: \"\")")
KEY_WHITESPACE = _add(FILE, "key-whitespace", "the key value has leading or trailing spaces",
                      "remove the spaces around the key value")
CLEAN_TEXT = _add(FILE, "clean_text", "the text holds a refused character or spaces around it",
                  "retype the text without control or invisible characters (tab and line breaks only where the "
                  "field allows several lines) and without spaces around it")

# --------------------------------------------------------------------------- the descriptor's values
# Reported at datapackage.json with the JSON path as the field (scripts/validate/descriptor.py).
DESCRIPTOR_URL = _add(DESCRIPTOR, "descriptor-url", "the value becomes a link but is not an http:// or https:// "
                      "address", "write a full web address starting with https:// (a link to anything else, such as "
                      "javascript:, would run when clicked), or remove the value")
DESCRIPTOR_NAME = _add(DESCRIPTOR, "descriptor-name", "the name is not a Data Package name",
                       "use lower-case letters, digits, '-', '.' and '_' only, not starting with '.' (the name "
                       "becomes a file name), e.g. central-asia-cooperation")
DESCRIPTOR_TEXT = _add(DESCRIPTOR, "descriptor-text", "the text holds a line break, a control or invisible "
                       "character, or spaces around it", "retype the text on one line (descriptions may have "
                       "several), without control or invisible characters and without spaces around it")
RELEASE_PLACEHOLDER = _add(DESCRIPTOR, "release-placeholder", "a publishing setting is a placeholder (missing, "
                           "marked unverified, or a reserved example address), so a final release would publish it",
                           "set the real value in datapackage.json and remove its name from cac:unverified once "
                           "verified (see the README's Publishing section); a release without --final still builds")
DESCRIPTOR_SOURCES = _add(DESCRIPTOR, "descriptor-sources", "the descriptor's sources do not list the texts of the "
                          "sources table, in its order", "give sources[i] the path (file_name), version ('sha256:' "
                          "and the sha256) and title ('title (file_name)') of the i-th row of sources.csv")
DESCRIPTOR_VERSION = _add(DESCRIPTOR, "descriptor-version", "the version is not a semantic version "
                          "MAJOR.MINOR.PATCH", "write three numbers joined by dots, e.g. 0.3.0 "
                          "(python -m scripts bump sets it)")

# --------------------------------------------------------------------------- header and rows
MISSING_LABEL = _add(STRUCTURE, "missing-label", "the header lacks a column of the schema",
                     "add the column to the header, named as in the schema")
EXTRA_LABEL = _add(STRUCTURE, "extra-label", "the header has a column the schema lacks",
                   "remove the column or add it to the schema")
INCORRECT_LABEL = _add(STRUCTURE, "incorrect-label", "a column is named differently from the schema",
                       "name the column as the schema does, in the schema's order")
MISSING_CELL = _add(STRUCTURE, "missing-cell", "the row has fewer cells than the header",
                    "the row has fewer cells than the header: add the missing commas")
EXTRA_CELL = _add(STRUCTURE, "extra-cell", "the row has more cells than the header",
                  "the row has more cells than the header: quote text that holds a comma")
BLANK_ROW = _add(STRUCTURE, "blank-row", "the row is empty", "delete the empty row")

# --------------------------------------------------------------------------- what a Table Schema says
TYPE = _add(SCHEMA, "type-error", "the value is not of the field's type",
            "write the value in the field's type (see the hint's example)")
REQUIRED = _add(SCHEMA, "required", "the field is required but empty", "fill in the value: this field is required")
UNIQUE = _add(SCHEMA, "unique-error", "the value occurs more than once", "each value may occur once in this column")
PATTERN = _add(SCHEMA, "pattern", "the value is not in the form the field asks for",
               "write the value in the form the field asks for")
ENUM = _add(SCHEMA, "enum", "the value is not one the schema lists",
            "use one of the values the schema lists for this field")
MINIMUM = _add(SCHEMA, "minimum", "the value is below the smallest allowed", "the value is below the smallest allowed")
MAXIMUM = _add(SCHEMA, "maximum", "the value is above the largest allowed", "the value is above the largest allowed")
MIN_LENGTH = _add(SCHEMA, "min-length", "the text is shorter than allowed", "the text is shorter than allowed")
MAX_LENGTH = _add(SCHEMA, "max-length", "the text is longer than allowed", "shorten the text")
PRIMARY_KEY = _add(SCHEMA, "primary-key", "the primary key occurs more than once",
                   "each record needs its own primary key: change or remove the duplicate")
FOREIGN_KEY = _add(SCHEMA, "foreign-key", "the key does not exist in the referenced table",
                   "use a key that exists in the referenced table, or add that record first")
NOT_SORTED = _add(SCHEMA, "rows-not-sorted", "the row sorts before the row above it by primary key",
                  "sort the rows by primary key (python -m scripts import rewrites the CSVs sorted)")
CONSTRAINT_RULES = (REQUIRED, PATTERN, ENUM, MINIMUM, MAXIMUM, MIN_LENGTH, MAX_LENGTH)

# --------------------------------------------------------------------------- provenance
SOURCE_MISSING = _add(PROVENANCE, "source-file-missing", "the source text is not found",
                      "restore the file or point --sources at the folder that holds it")
SOURCE_SHA = _add(PROVENANCE, "source-sha256-mismatch", "the source text's sha256 is not the recorded one",
                  "the text changed: re-check its citations, then record the new sha256")
PAST_END = _add(PROVENANCE, "citation-past-end", "the citation's lines run past the end of the source",
                "check the line numbers with grep -n in the source text")
EVIDENCE_MISSING = _add(PROVENANCE, "citation-evidence-missing", "the evidence does not occur in the cited lines",
                        "quote a few words exactly as the cited lines write them, or fix the line range")
VALUE_MISSING = _add(PROVENANCE, "citation-value-missing", "the cited value does not occur in the cited lines",
                     "cite the lines that state the value, or mark the citation paraphrase or inferred")

# Without the source texts, citations are compared with provenance.lock: what a run with the texts
# proved (:mod:`scripts.validate.lock`). Anything the lock does not vouch for needs the texts again.
VERIFY = "verify with the sources: python -m scripts validate --sources DIR --update-lock"
LOCK_NEW = _add(PROVENANCE, "citation-not-in-lock", "the citation is not in provenance.lock: it has not been "
                "proved against the source texts", VERIFY)
LOCK_CHANGED = _add(PROVENANCE, "citation-changed-since-lock", "the citation differs from the one provenance.lock "
                    "records as proved", VERIFY)
LOCK_VALUE = _add(PROVENANCE, "cited-value-changed-since-lock", "a value a verbatim citation proved has changed "
                  "since provenance.lock was written", VERIFY)
LOCK_SOURCE = _add(PROVENANCE, "source-changed-since-lock", "the source's sha256 differs from the one its "
                   "citations were proved against", VERIFY)
LOCK_ORPHAN = _add(PROVENANCE, "lock-entry-without-citation", "provenance.lock records a citation the package no "
                   "longer has", VERIFY)
LOCK_INVALID = _add(PROVENANCE, "provenance-lock-invalid", "a line of provenance.lock is not a lock entry",
                    "do not edit the lock by hand: restore it (git checkout provenance.lock) or rewrite it with the "
                    "sources: python -m scripts validate --sources DIR --update-lock")
LOCK_STALE = _add(PROVENANCE, "provenance-lock-stale", "provenance.lock does not record what the source texts prove "
                  "now", "rewrite the lock: python -m scripts validate --sources DIR --update-lock")

# Rules after which validation "could not run" (exit 2) rather than found invalid data (exit 1).
FATAL_RULES = frozenset({MISSING_FILE, UNREADABLE_FILE, NOT_REGULAR})

# --------------------------------------------------------------------------- named rules
# What a Table Schema cannot say. Each is checked by the function of the same name in
# scripts/validate (rules.py, facts.py, records.py), whose docstring says why the rule holds.
N = RULE
STATE_CODES = _add(N, "state_codes_are_iso3166", "a state code is a real ISO 3166-1 alpha-3 code",
                   "use the ISO 3166-1 alpha-3 code of the state (e.g. KAZ for Kazakhstan)")
PERSON_ONE_ROW = _add(N, "person_is_one_row", "the same person (name and state) appears under two keys",
                      "one person is one row: merge the two records or correct the name or state")
DATES_REAL = _add(N, "dates_are_real", "a day-precision date is a real calendar day (no 2022-02-30)",
                  "write a real calendar date (February has 28 or 29 days, April 30)")
RANGES_ORDERED = _add(N, "date_ranges_ordered", "a range ends on or after its start (compared at the coarser "
                      "precision)", "put the earlier date in the *_start field and the later one in *_end")
ORDINALS_UNIQUE = _add(N, "ordinals_unique_per_format", "two meetings of one format cannot both be its n-th (the "
                       "later row in the file is reported)",
                       "each meeting of a format has its own number: check the ordinal and format_id")
ORDINALS_INCREASE = _add(N, "ordinals_increase_with_date", "within a format, the n+1-th meeting does not start "
                         "before the n-th (coarser precision)",
                         "a higher ordinal cannot predate a lower one: check the ordinal and date_start")
CHAIR_HOST_ATTEND = _add(N, "chair_and_host_attend", "a meeting's chair and host states are among the states "
                         "attending it (any attendance status)",
                         "add the state to attendance for this meeting, or fix the state code")
ATTENDANCE_FITS = _add(N, "attendance_status_fits_sources", "an 'expected' attendance is cited only from sources "
                       "published on or before the meeting date, and a 'reported' one only from sources published "
                       "on or after it", "'expected' needs a source from before the meeting, 'reported' one from "
                       "after it")
SIGNED_ON_DATE = _add(N, "signed_on_meeting_date", "signing or adopting at a meeting happens on that meeting's date "
                      "(within its dates, at the coarser precision)",
                      "use the meeting's date (at the same or a coarser precision) or fix meeting_id")
TARGET_AFTER = _add(N, "target_after_baseline", "a target with a period points to a later period than the actual "
                    "it is set against", "a target's period_start must come after the period of its baseline actual")
BASELINE_ACTUAL = _add(N, "baseline_is_actual", "a baseline is an actual figure: a target or growth rate is set "
                       "against an outcome, not a goal",
                       "point baseline_observation_id at an observation whose value_kind is 'actual'")
PLAUSIBLE = _add(N, "value_in_plausible_range", "a figure lies in the plausible range of its unit and scale",
                 "check the unit and scale: see PLAUSIBLE_RANGES in scripts/validate/rules.py")
CITED = _add(N, "record_is_cited", "every record of every table (but citations) is cited at least once: a fact "
             "without a source cannot be checked",
             "add a row to citations naming this table and record, with the source lines")
EXPLAINED = _add(N, "inference_is_explained", "a record that marks a value as inferred (an is_*_inferred flag set, "
                 "or an inferred citation) explains the inference in its inference_note",
                 "say in inference_note how the inferred value follows from the cited lines")
CITED_RECORD_EXISTS = _add(N, "citation_record_exists", "a citation points to a record that exists (table_name + "
                           "record_id)", "write the cited record's primary key exactly, several fields joined by '/'")
CITED_FIELD_EXISTS = _add(N, "citation_field_exists", "a citation that names a field names one of its table's "
                          "fields, whatever its support", "name one of the table's fields, or leave field_name "
                          "empty to cite the whole record")
FIGURE_NOT_AFTER = _add(N, "figure_not_after_report", "an actual figure's period ends on or before the date of the "
                        "source that reports it", "an actual figure is for a period the source could have seen end: "
                        "use the last complete period before the source's date, mark it inferred and say why")
STATUS_AS_OF = _add(N, "status_as_of_source", "a status is as of its source: a source dated before an event cannot "
                    "say it happened", "a source dated before the event supports only what was expected, planned, "
                    "announced or hoped for: cite a later source or record the expected status")
MARKED_ONE_WAY = _add(N, "inference_marked_one_way", "inference is marked in one way: flag, inferred citation and "
                      "inference note, all or none", "an inference is marked three ways or none: the is_..._inferred "
                      "flag, an inference_note and a citation of the field with support 'inferred'")
NO_FORMULA = _add(N, "no_formula_text", "a text starts with '=', '+', '-', '@', a tab or a carriage return, "
                 "which a spreadsheet opening the CSV runs as a formula",
                 "start the text with a letter or a digit (e.g. 'minus 5' for '-5'): the CSV "
                 "files are the data and are shipped as they are, so a leading '=' would run in a spreadsheet")
BASELINE_COMPARABLE = _add(N, "baseline_comparable", "a figure's baseline has the same indicator family, scope and "
                           "states as the figure", "point baseline_observation_id at a level of the same indicator "
                           "(without '_growth'), scope and states")

# Between records: tables that answer the same question answer it the same way (records.py).
HORIZON = _add(N, "within_knowledge_horizon", "a record claims nothing after its knowledge horizon, the latest "
               "date of the sources cited for it", "nothing in a record may run past the latest source cited for "
               "it: cite a source from after the event, or record only what was expected, planned or announced "
               "(and date it no later)")
CHAIR_CHAIRMANSHIP = _add(N, "chair_agrees_with_chairmanship", "a meeting's chair is the state holding its "
                          "format's chairmanship in the meeting's year", "a format's chairmanship of a year and the "
                          "chair of its meetings that year name the same state: correct one, or leave both open "
                          "where the sources do not say")
CHAIR_ROLE = _add(N, "chair_role_agrees", "the attendance role 'chair' belongs to the meeting's chair state, and "
                  "the chair state has it", "give the role 'chair' to the attendance of the meeting's "
                  "chair_state_id, and to no other state")
SAID_WITHIN = _add(N, "said_within_meeting_dates", "a statement is dated within the dates of the meeting it was "
                   "made at, or not after one it preceded", "date the statement within the meeting's dates ('at') "
                   "or not after it ('ahead_of'), at the same or a coarser precision, or fix meeting_id or "
                   "meeting_relation")
OWN_STATE = _add(N, "acts_for_own_state", "a person attends, speaks or signs for their own state (persons.state_id "
                 "or a membership's)", "name a person of that state, or fix the state (a person's state is "
                 "persons.state_id or the state of one of their memberships)")
CAPACITY_HELD = _add(N, "capacity_is_held", "a signature's capacity is an office the signer holds in memberships, "
                     "as of no later than the act", "the capacity must be an office the person holds in "
                     "memberships, as of no later than the signature: add or correct the membership, or leave the "
                     "capacity empty")
ONE_READING = _add(N, "one_reading_per_sentence", "one act has one reading: a statement's status agrees with the "
                   "verbs that describe the same act", "one act, one reading: make the status and the verbs of the "
                   "descriptions agree (the source's verb decides: 'noted' assessed, 'stressed the need' "
                   "called_for, 'agreed' only where the parties agreed)")


def rank(rule_id: str) -> int:
    """How basic a rule is (unknown rules rank as named rules)."""
    entry = CATALOGUE.get(rule_id)
    return entry.rank if entry else RANKS[RULE]
