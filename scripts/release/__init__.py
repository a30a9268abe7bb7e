"""Publishing: the release bundle, version diff, generated docs and the version bump.

Modules: :mod:`.build` (the ``release`` verb: lock, snapshot, validate, stage, swap),
:mod:`.snapshot`, :mod:`.sqlite` (database + Datasette metadata), :mod:`.parquet`,
:mod:`.docs` and :mod:`.erd` (data dictionary, diagram), :mod:`.portals` (schema.org, Zenodo,
CKAN), :mod:`.meta` (the release record in datapackage.json), :mod:`.generated` (CITATION.cff,
.zenodo.json, docs/ and the staleness check), :mod:`.diff` and :mod:`.refs` (folders, zips and
git refs), :mod:`.version` (``bump``) and :mod:`.verbs` (the CLI handlers). Nothing heavy is
imported here, so ``scripts.cli`` can import :mod:`.verbs` cheaply.
"""
