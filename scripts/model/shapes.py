"""The JSON shape of the descriptor and the Table Schemas: every value a command reads has the type
the command expects, or the loader refuses the file naming the value.

Why here and not only in validate: frictionless checks the Data Package and Table Schema profiles
for ``validate``, but export, import, release, docs and the site read the same files without it,
and a stranger's package can hold anything (``"licenses": "x"``, a field whose ``name`` is null, a
``maxLength`` that is text). Read unchecked, such a value fails deep inside a command (an internal
error); checked here, it is one line naming the value and exit 2 ("cannot run: damaged
descriptor"), the same for every verb. Only types are checked; what a well-typed value may be (a
web address, a file name, clean text) is :mod:`scripts.model.values`' and validate's.
"""

from __future__ import annotations

from typing import Any

DOWNLOAD_BASE = "cac:download_base"  # the base URL of the release files, with {version}
CKAN_OWNER_ORG = "cac:ckan_owner_org"  # the CKAN organisation (owner_org) of the dataset
UNVERIFIED = "cac:unverified"  # publishing settings nobody has verified yet (scripts.model.publishing)
TEXT_KEYS = ("name", "title", "description", "version", "created", "homepage", DOWNLOAD_BASE, CKAN_OWNER_ORG, "id",
             "$schema", "profile")
PART_TEXT_KEYS = {"keywords": None, UNVERIFIED: None, "licenses": ("name", "path", "title"),
                  "contributors": ("title", "givenName", "familyName", "email", "organization", "role", "path"),
                  "sources": ("title", "path", "email")}
RESOURCE_TEXT_KEYS = ("name", "title", "description")
FIELD_TEXT_KEYS = ("type", "title", "description", "format")
FIELD_TEXT_LISTS = ("trueValues", "falseValues")
CONSTRAINT_TYPES: dict[str, tuple[type, ...]] = {
    "pattern": (str,), "maxLength": (int,), "minLength": (int,), "minimum": (int, float, str),
    "maximum": (int, float, str), "enum": (list,), "required": (bool,), "unique": (bool,)}


def kind(value: Any) -> str:
    """A JSON value's type in words ("a number", "a list")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


def descriptor_problem(descriptor: dict[str, Any]) -> str | None:
    """Where the descriptor holds a value of the wrong JSON type (None: nowhere), e.g.
    ``licenses[0] is text, not an object``."""
    found = [f"{key} is {kind(descriptor[key])}, not text" for key in TEXT_KEYS
             if key in descriptor and not isinstance(descriptor[key], str)]
    for key, texts in PART_TEXT_KEYS.items():
        if key in descriptor:
            found += _objects(descriptor[key], key, texts)
    found += _objects(descriptor.get("resources", []), "resources", RESOURCE_TEXT_KEYS)
    return found[0] if found else None


def _objects(items: Any, path: str, texts: tuple[str, ...] | None) -> list[str]:
    """A list of text (``texts`` None) or of objects whose keys ``texts`` (and ``roles``) are text."""
    if not isinstance(items, list):
        return [f"{path} is {kind(items)}, not a list"]
    if texts is None:
        return [f"{path}[{i}] is {kind(x)}, not text" for i, x in enumerate(items) if not isinstance(x, str)]
    found = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            found.append(f"{where} is {kind(item)}, not an object")
            continue
        found += _texts(item, texts, where)
        if "roles" in item:
            found += _objects(item["roles"], f"{where}.roles", None)
    return found


def _texts(entry: dict[str, Any], keys: tuple[str, ...], where: str) -> list[str]:
    return [f"{where}.{key} is {kind(entry[key])}, not text" for key in keys
            if key in entry and not isinstance(entry[key], str)]


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Where a Table Schema holds a value of the wrong JSON type, or a key naming no field (None:
    nowhere), e.g. ``fields[0].name is null, not text``."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return "fields is not a list of fields"
    found = []
    for index, fld in enumerate(fields):
        found += _field_problems(fld, f"fields[{index}]")
    if found:
        return found[0]
    names = [f["name"] for f in fields]
    if len(set(names)) != len(names):
        return f"two fields are named {next(n for n in names if names.count(n) > 1)!r}"
    return _keys_problem(schema, set(names))


def _field_problems(fld: Any, where: str) -> list[str]:
    if not isinstance(fld, dict):
        return [f"{where} is {kind(fld)}, not an object"]
    if not isinstance(fld.get("name"), str) or not fld["name"]:
        return [f"{where}.name is {kind(fld.get('name'))}, not a field name"]
    found = _texts(fld, FIELD_TEXT_KEYS, where)
    found += [p for key in FIELD_TEXT_LISTS if key in fld for p in _objects(fld[key], f"{where}.{key}", None)]
    if "multiline" in fld and not isinstance(fld["multiline"], bool):
        found.append(f"{where}.multiline is {kind(fld['multiline'])}, not true/false")
    if "categories" in fld and not _categories_ok(fld["categories"]):
        found.append(f"{where}.categories is not a list of values or {{value, label}} objects")
    constraints = fld.get("constraints", {})
    if not isinstance(constraints, dict):
        return [*found, f"{where}.constraints is {kind(constraints)}, not an object"]
    for key, types in CONSTRAINT_TYPES.items():
        value = constraints.get(key)
        if value is not None and (not isinstance(value, types) or (isinstance(value, bool) and bool not in types)):
            found.append(f"{where}.constraints.{key} is {kind(value)}")
    return found


def _categories_ok(categories: Any) -> bool:
    return isinstance(categories, list) and all(
        isinstance(c, str | int | float) or (isinstance(c, dict) and "value" in c) for c in categories)


def _keys_problem(schema: dict[str, Any], names: set[str]) -> str | None:
    """The primary key, foreign keys and missing values: of the right type, naming real fields."""
    primary = _names(schema.get("primaryKey", []))
    if primary is None or not set(primary) <= names:
        return "primaryKey does not name fields of the schema"
    missing = schema.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        return "missingValues is not a list of text"
    keys = schema.get("foreignKeys", [])
    if not isinstance(keys, list):
        return "foreignKeys is not a list"
    for index, key in enumerate(keys):
        reference = key.get("reference") if isinstance(key, dict) else None
        own = _names(key.get("fields")) if isinstance(key, dict) else None
        theirs = _names(reference.get("fields")) if isinstance(reference, dict) else None
        if own is None or theirs is None or not set(own) <= names or len(own) != len(theirs) or not own \
                or not isinstance(reference.get("resource", ""), str):
            return f"foreignKeys[{index}] is not {{fields, reference: {{resource, fields}}}} naming fields"
    return None


def _names(value: Any) -> list[str] | None:
    """A key's field names: one name or a list of names (None when it is neither)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None
