"""The descriptor-value policies (scripts/model/values.py) and typed metadata's refusal to build a
link from anything but a web address, even when validation was skipped."""

from __future__ import annotations

import json

import pytest

from scripts.model import values
from scripts.model.meta import citation_text, meta_from_descriptor
from tests.conftest import ROOT


@pytest.mark.parametrize("url", ["https://example.org", "http://example.org/a?b=c#d", "HTTPS://Example.org/",
                                 "https://example.org/releases/v0.2.0/"])
def test_a_web_address_may_become_a_link(url: str) -> None:
    assert values.url_problem(url) is None and values.link_or_empty(url) == url


@pytest.mark.parametrize(("url", "why"), [
    ("javascript:alert(1)", "has 'javascript:'; only http:// and https:// addresses become links"),
    ("JavaScript:alert(1)", "has 'javascript:'; only http:// and https:// addresses become links"),
    ("data:text/html,x", "has 'data:'; only http:// and https:// addresses become links"),
    ("//evil.example/x", "has no scheme; only http:// and https:// addresses become links"),
    ("example.org", "has no scheme; only http:// and https:// addresses become links"),
    ("https://", "has no host after http(s)://"),
    ("https:///path", "has no host after http(s)://"),
    ("https://good.example@evil.example/", "names a user or password before the host, which hides the real host"),
    ("https://[::1", "is not a valid web address (Invalid IPv6 URL)"),
    ("https://example.org/\njavascript:x", "is not a web address: it holds the character U+000A (line break) "
                                           "at position 21"),
    ("https://exa mple.org", "is not a web address: it holds a space or a backslash"),
    ("https:\\\\evil.example", "is not a web address: it holds a space or a backslash"),
    (["https://example.org"], "is a list, not a web address"),
    (None, "is null, not a web address"),
])
def test_anything_else_never_becomes_a_link(url: object, why: str) -> None:
    assert values.url_problem(url) == why
    assert values.link_or_empty(url) == ""


@pytest.mark.parametrize(("template", "why"), [
    ("https://example.org/v{version}/", None),
    ("https://example.org/{version.__class__}/", "holds the placeholder {version.__class__}; only {version} is "
                                                 "filled in"),
    ("https://example.org/{0}/", "holds the placeholder {0}; only {version} is filled in"),
    ("https://example.org/{version/", "is not a URL template (expected '}' before end of string); write "
                                      "{version} where the version goes"),
    ("javascript:alert('{version}')", "has 'javascript:'; only http:// and https:// addresses become links"),
])
def test_a_download_base_is_a_web_address_with_only_the_version_filled_in(template: str, why: str | None) -> None:
    assert values.template_problem(template) == why


@pytest.mark.parametrize(("name", "ok"), [("central-asia-cooperation", True), ("a.b_c-1", True), ("_x", True),
                                          ("../x", False), (".hidden", False), ("A", False), ("a b", False),
                                          ("a/b", False), ("", False), ("ça", False), ("a\n", False)])
def test_a_name_is_a_data_package_name(name: str, ok: bool) -> None:
    assert (values.name_problem(name) is None) is ok


@pytest.mark.parametrize(("version", "ok"), [("0.2.0", True), ("10.20.30", True), ("1.0", False),
                                             ("1.0.0\n", False), ("01.0.0", False), ("1.0.0-rc1", False),
                                             ("١.٠.٠", False), ("v1.0.0", False)])
def test_a_version_is_major_minor_patch(version: str, ok: bool) -> None:
    assert (values.version_problem(version) is None) is ok


def test_typed_metadata_builds_no_link_from_a_value_that_is_not_a_web_address() -> None:
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["homepage"] = "javascript:alert(1)"
    descriptor["licenses"][0]["path"] = "data:text/html,<script>alert(1)</script>"
    descriptor["cac:download_base"] = "javascript:alert('{version}')//"
    meta = meta_from_descriptor(descriptor)
    assert (meta.homepage, meta.license.url, meta.url("x.csv")) == ("", "", "")
    assert "javascript" not in citation_text(meta)


def test_typed_metadata_fills_the_download_base_without_str_format() -> None:
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["cac:download_base"] = "https://example.org/{version}/{0}/"
    meta = meta_from_descriptor(descriptor)  # str.format raised IndexError here: an internal error
    assert meta.url("x.csv") == f"https://example.org/{meta.version}/{{0}}/x.csv"
