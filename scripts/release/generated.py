"""Files of the repository generated from datapackage.json and the schemas, and the check that
the committed copies are current.

CITATION.cff (every scalar quoted by a YAML emitter) and .zenodo.json (Zenodo's legacy deposit
format, which its GitHub integration reads; see :func:`scripts.release.portals.zenodo` for what that
format cannot say) are written whole from the release record; docs/data-dictionary.md and docs/erd.svg from the schemas.
``python -m scripts docs`` (and ``bump``) rewrite them; a release refuses (exit 1) while any of
them, pyproject's ``[project] version`` or a version the README states differs from
datapackage.json, so no published file can contradict another.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from scripts.files import atomic_write, package_lock
from scripts.model.meta import PackageMeta, json_text, package_meta
from scripts.model.package import Package, load_package, read_rows
from scripts.release import docs
from scripts.release.portals import zenodo
from scripts.release.snapshot import Snapshot
from scripts.report import Problem

CITATION = "CITATION.cff"
ZENODO = ".zenodo.json"
PYPROJECT = "pyproject.toml"
README = "README.md"
README_VERSION = re.compile(r"\b[Vv]ersion\s+(\d+\.\d+\.\d+)\b")
YAML_WIDTH = 1 << 30  # never fold a long scalar over several lines
HINT = "run `python -m scripts docs` (or `python -m scripts bump ...`) to regenerate it"


def _yaml_str(text: str) -> str:
    """``text`` as one double-quoted YAML scalar, written by PyYAML's emitter.

    Why the emitter: every value here comes from the descriptor, a stranger's text. Unquoted, a
    licence name holding a line break would add its own keys (a fake ``doi:``); a JSON string is
    not always a YAML one either (YAML 1.1 reads U+0085 and U+2028 as line breaks and refuses raw
    C1 characters). The emitter escapes whatever YAML needs, so any text reads back as itself."""
    return yaml.dump(str(text), Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True,
                     width=YAML_WIDTH).removesuffix("\n")


def citation_cff(meta: PackageMeta) -> str:
    """CITATION.cff, written whole from the release record (the licence included, so that
    conversions such as cffconvert's keep it)."""
    lines = ["# Generated from datapackage.json by `python -m scripts docs`; edit that file, not this one.",
             "cff-version: 1.2.0", 'message: "If you use this dataset, please cite it as below."',
             "type: dataset", f"title: {_yaml_str(meta.title)}", f"version: {_yaml_str(meta.version)}",
             f"date-released: {_yaml_str(meta.date)}", f"license: {_yaml_str(meta.license.spdx)}",
             f"url: {_yaml_str(meta.homepage)}", f"repository-code: {_yaml_str(meta.homepage)}", "authors:"]
    for party in meta.creators:
        if party.is_person:
            lines += [f"  - family-names: {_yaml_str(party.family_name)}",
                      f"    given-names: {_yaml_str(party.given_name)}"]
        else:
            lines.append(f"  - name: {_yaml_str(party.name)}")
        if party.email:
            lines.append(f"    email: {_yaml_str(party.email)}")
    lines += ["abstract: " + _yaml_str(meta.description), "keywords:"]
    lines += [f"  - {_yaml_str(k)}" for k in meta.keywords]
    return "\n".join(lines) + "\n"


def generated_files(package: Package, rows: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    """Relative path -> the text this package generates for it."""
    meta = package_meta(package)
    out = {CITATION: citation_cff(meta), ZENODO: json_text(zenodo(meta, rows))}
    out.update({f"{docs.DOCS}/{name}": text for name, text in docs.render_docs(package).items()})
    return out


def write_generated(root: Path) -> list[Path]:
    """Rewrite the generated files under ``root`` that differ; return those written."""
    package = load_package(root)
    rows = {name: read_rows(t) for name, t in package.tables.items()}
    changed = []
    for name, text in generated_files(package, rows).items():
        path = Path(root) / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
            changed.append(path)
    return changed


def regenerate(root: Path) -> list[Path]:
    """``python -m scripts docs``: write_generated under the package lock."""
    with package_lock(root):
        return write_generated(Path(root))


def _problem(name: str, message: str, hint: str = HINT) -> Problem:
    return Problem(name, None, None, None, "release-metadata", message, hint)


def version_problems(root: Path, meta: PackageMeta) -> list[Problem]:
    """pyproject's version and the README's version mentions against datapackage.json."""
    problems = []
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        stated = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("version")
        if stated != meta.version:
            problems.append(_problem(PYPROJECT, f"[project] version is {stated!r}, datapackage.json says "
                                     f"{meta.version!r}", "give both the same version (bump does)"))
    readme = root / README
    if readme.is_file():
        for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
            for found in README_VERSION.findall(line):
                if found != meta.version:
                    problems.append(_problem(f"{README}:{number}", f"states version {found}, datapackage.json "
                                             f"says {meta.version}", "bump updates it; or edit the line"))
    return problems


def stale_problems(root: Path, snap: Snapshot, meta: PackageMeta) -> list[Problem]:
    """Generated files under ``root`` that differ from what the snapshot generates."""
    problems = []
    for name, text in generated_files(snap.package, snap.rows).items():
        path = root / name
        if not path.is_file():
            problems.append(_problem(name, f"{name} is missing"))
        elif path.read_text(encoding="utf-8") != text:
            problems.append(_problem(name, f"{name} is out of date with datapackage.json and the schemas"))
    return problems + version_problems(root, meta)
