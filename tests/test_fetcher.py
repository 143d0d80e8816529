"""Designs may load their own files, fonts/ and data: URIs, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from weasyprint import HTML

from assets_cli.fetcher import DesignFetcher, RefusedResource
from conftest import REPO, run_cli


@pytest.fixture
def design(tmp_path) -> Path:
    folder = tmp_path / "designs" / "mine"
    shutil.copytree(REPO / "designs" / "placard", folder)
    return folder


def fetcher_for(design: Path) -> DesignFetcher:
    return DesignFetcher([design, REPO / "fonts"])


def test_allows_files_in_the_design_fonts_and_data(design):
    fetcher = fetcher_for(design)
    assert fetcher.fetch((design / "rays.svg").as_uri()).read().startswith(b"<svg")
    assert fetcher.fetch((REPO / "fonts" / "fonts.toml").as_uri()).read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


@pytest.mark.parametrize("url", [
    "file:///etc/hostname",
    "http://example.com/image.png",
    "https://example.com/font.woff2",
    "ftp://example.com/x",
])
def test_refuses_other_files_and_the_network(design, url):
    with pytest.raises(RefusedResource):
        fetcher_for(design).fetch(url)


def test_refuses_escaping_the_design_by_dots_or_links(design, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (design / "link.txt").symlink_to(secret)
    with pytest.raises(RefusedResource):
        fetcher_for(design).fetch((design / "link.txt").as_uri())
    with pytest.raises(RefusedResource):
        fetcher_for(design).fetch(design.as_uri() + "/../../secret.txt")


def test_weasyprint_stops_on_a_refused_resource(design):
    html = HTML(string='<img src="file:///etc/hostname">', base_url=design.as_uri() + "/",
                url_fetcher=fetcher_for(design))
    with pytest.raises(RefusedResource):
        html.render()


@pytest.mark.parametrize("css", [
    "body { background: url(file:///etc/passwd) }",
    "body { background: url(http://example.com/tracker.png) }",
    '@import url("https://example.com/evil.css");',
])
def test_a_design_reaching_outside_fails_with_one_clear_line(design, css):
    stylesheet = design / "placard.css"
    imports, rules = (css, "") if css.startswith("@import") else ("", css)
    stylesheet.write_text(imports + "\n" + stylesheet.read_text() + "\n" + rules)
    out = design.parent.parent / "out"
    result = run_cli("poster", "--design", str(design), "--size", "a4", "--out", str(out))
    assert result.returncode == 2
    assert "refused to load" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() or not any(out.rglob("*.*"))
