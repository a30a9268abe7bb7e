"""Release honesty: the publishing settings (homepage, download base, CKAN organisation, the
creators' contact) and their placeholders. A release that is not final names them in one note;
``release --final`` refuses while any is a placeholder, naming each at its place in
datapackage.json; ``bump`` warns. Run end to end through the command line on copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.model.publishing import placeholders, reserved_host
from tests.conftest import ROOT
from tests.data.release_support import copy_release_inputs

REAL = {"homepage": "https://data.cac-cooperation.kz/", "cac:download_base": "https://files.cac-cooperation.kz/v{version}/",
        "cac:ckan_owner_org": "central-asia-data"}
CONTACT = "maintainers@cac-cooperation.kz"


def edit_descriptor(root: Path, **changes: object) -> dict:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        key = key.replace("__", ":")
        if value is None:
            descriptor.pop(key, None)
        else:
            descriptor[key] = value
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return descriptor


def test_the_committed_settings_are_placeholders_named_one_by_one() -> None:
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert [(p.setting, p.why) for p in placeholders(descriptor)] == [
        ("homepage", "is marked as not yet verified (cac:unverified)"),
        ("cac:download_base", "is marked as not yet verified (cac:unverified)"),
        ("cac:ckan_owner_org", "is missing or empty"),
        ("contributors[0].email",
         "is missing: the creator 'Central Asia Cooperation Dataset maintainers' has no contact address")]


def test_release_final_refuses_naming_every_placeholder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = copy_release_inputs(tmp_path / "pkg")
    assert main(["release", str(src), "--final", "--no-provenance", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().err)
    found = sorted((p["file"], p["field"], p["rule"]) for p in report["problems"])
    assert found == sorted(("datapackage.json", f, "release-placeholder") for f in
                           ("homepage", "cac:download_base", "cac:ckan_owner_org", "contributors[0].email"))
    assert not (src / "dist").exists()


def test_a_release_that_is_not_final_names_them_in_one_note(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = copy_release_inputs(tmp_path / "pkg")
    assert main(["release", str(src), "--no-provenance"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if "not ready to publish" in line]
    assert notes == [
        "note: not ready to publish: homepage is marked as not yet verified (cac:unverified); cac:download_base "
        "is marked as not yet verified (cac:unverified); cac:ckan_owner_org is missing or empty; "
        "contributors[0].email is missing: the creator 'Central Asia Cooperation Dataset maintainers' has no "
        "contact address (release --final refuses to build until each is set; see the README's Publishing section)"]
    ckan = json.loads((src / "dist" / "ckan-package.json").read_text(encoding="utf-8"))
    assert "owner_org" not in ckan and "author_email" not in ckan  # nothing invented


def test_a_final_release_builds_once_every_setting_is_real(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from scripts.release.generated import write_generated

    src = copy_release_inputs(tmp_path / "pkg")
    descriptor = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    contributors = [{**descriptor["contributors"][0], "email": CONTACT}]
    edit_descriptor(src, **{k.replace(":", "__"): v for k, v in REAL.items()}, cac__unverified=None,
                    contributors=contributors)
    write_generated(src)
    assert main(["release", str(src), "--final", "--no-provenance"]) == 0, capsys.readouterr().err
    assert "not ready to publish" not in capsys.readouterr().out
    ckan = json.loads((src / "dist" / "ckan-package.json").read_text(encoding="utf-8"))
    assert (ckan["owner_org"], ckan["author_email"], ckan["maintainer_email"]) == (
        "central-asia-data", CONTACT, CONTACT)
    assert f'    email: "{CONTACT}"' in (src / "CITATION.cff").read_text(encoding="utf-8")
    ld = json.loads((src / "dist" / "schema-org.jsonld").read_text(encoding="utf-8"))
    assert ld["creator"][0]["email"] == CONTACT


@pytest.mark.parametrize(("changes", "setting", "why"), [
    ({"homepage": "https://example.org/cac"}, "homepage", "points at example.org, a reserved example or test host"),
    ({"homepage": "https://data.example.com/"}, "homepage", "points at data.example.com, a reserved example or "
                                                            "test host"),
    ({"cac__download_base": "http://localhost:8000/v{version}/"}, "cac:download_base",
     "points at localhost, a reserved example or test host"),
    ({"cac__download_base": "http://127.0.0.1/v{version}/"}, "cac:download_base",
     "points at 127.0.0.1, a reserved example or test host"),
    ({"homepage": "https://cac.test/"}, "homepage", "points at cac.test, a reserved example or test host"),
    ({"homepage": ""}, "homepage", "is missing or empty"),
    ({"cac__ckan_owner_org": "Central Asia"}, "cac:ckan_owner_org",
     "is not a CKAN organisation name (2-100 lower-case letters, digits, '-' or '_')"),
])
def test_what_counts_as_a_placeholder(tmp_path: Path, changes: dict, setting: str, why: str) -> None:
    src = copy_release_inputs(tmp_path / "pkg")
    descriptor = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    real = {**descriptor, **REAL, "contributors": [{**descriptor["contributors"][0], "email": CONTACT}]}
    real.pop("cac:unverified")
    assert placeholders(real) == []
    broken = {**real, **{k.replace("__", ":"): v for k, v in changes.items()}}
    assert [(p.setting, p.why) for p in placeholders(broken)] == [(setting, why)]


def test_a_creators_contact_on_an_example_domain_or_marked_unverified_is_a_placeholder() -> None:
    descriptor = {**REAL, "contributors": [{"title": "Team", "roles": ["creator"], "email": "team@example.net"},
                                           {"title": "Helper", "roles": ["contributor"]}]}
    assert [str(p) for p in placeholders(descriptor)] == [
        "contributors[0].email is not a real contact address (a reserved example or test domain, or no domain)"]
    descriptor["contributors"][0]["email"] = CONTACT
    assert placeholders(descriptor) == []  # a contributor who is not a creator needs no contact
    assert [p.setting for p in placeholders({**descriptor, "cac:unverified": ["contributors"]})] == [
        "contributors[0].email"]
    assert reserved_host("EXAMPLE.ORG.") and reserved_host("[::1]") and not reserved_host("example.kz")


def test_bump_warns_of_each_placeholder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture) -> None:
    src = copy_release_inputs(tmp_path / "pkg")
    monkeypatch.chdir(src)
    assert main(["bump", "patch", "--date", "2027-01-15"]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: datapackage.json: {p}: release --final refuses to build until it is set"
                        for p in placeholders(json.loads((src / "datapackage.json").read_text(encoding="utf-8")))]
    assert len(warnings) == 4
