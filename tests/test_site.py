"""`assets site`: the download page, opened in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import sync_playwright

from conftest import run_cli

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = run_cli("pack", "--lang", "en", "--lang", "ar", "--kind", "poster", "--out", str(out))
    assert result.returncode == 0, result.stderr
    chapters = out / "chapters.csv"
    chapters.write_text("id,name,lang,city,event,url\nleeds,Leeds Solidarity,en,Leeds,Rally Thursday 6 pm,\n")
    result = run_cli("pack", "--chapters", str(chapters), "--kind", "poster", "--out", str(out))
    assert result.returncode == 0, result.stderr
    result = run_cli("site", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "site"


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).is_file(), "Debian's chromium is missing: run ./setup --test"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def open_page(browser, url: str):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: None if request.url.startswith(("file://", "data:"))
            else problems.append(f"external request {request.url}"))
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, problems


@pytest.mark.parametrize("name, lang, direction", [("index.html", "en", "ltr"), ("en.html", "en", "ltr"),
                                                   ("ar.html", "ar", "rtl")])
def test_every_page_loads_clean_with_its_language_and_direction(browser, site, name, lang, direction):
    context, page, problems = open_page(browser, (site / name).as_uri())
    try:
        assert page.get_attribute("html", "lang") == lang
        assert page.get_attribute("html", "dir") == direction
        assert page.locator("h1").count() == 1 and page.locator("h2").count() >= 2
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.naturalWidth, e.alt])")
        assert len(images) == 5 and all(width > 0 and alt for width, alt in images), images
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert hrefs
        for href in hrefs:
            parts = urlsplit(href)
            assert parts.scheme == "file", href
            assert Path(unquote(parts.path)).is_file(), f"broken link {href}"
        # The page's own fonts (copied beside it) load: every script shows, even where the system has no font for it.
        statuses = page.evaluate("document.fonts.ready.then(() => Array.from(document.fonts).map(f => f.status))")
        assert statuses and "error" not in statuses and "loaded" in statuses, statuses
        assert not problems, problems
    finally:
        context.close()


def test_language_switcher_links_every_language(browser, site):
    context, page, _ = open_page(browser, (site / "index.html").as_uri())
    try:
        targets = page.eval_on_selector_all("nav a", "els => els.map(e => e.getAttribute('href'))")
        assert sorted(targets) == ["ar.html", "en.html"]
        page.click("nav a[href='ar.html']")
        assert page.get_attribute("html", "dir") == "rtl"
    finally:
        context.close()


def test_a_pack_link_downloads_a_valid_zip(browser, site):
    context, page, _ = open_page(browser, (site / "en.html").as_uri())
    try:
        with page.expect_download() as download_info:
            page.click("a[download]")
        data = Path(download_info.value.path()).read_bytes()
    finally:
        context.close()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["lang"] == "en"
    assert "poster/poster-a4-placard.pdf" in archive.namelist()


def test_build_makes_assets_packs_and_site_with_a_summary(tmp_path):
    import shutil

    from conftest import DEFAULT_STATEMENT

    folder = tmp_path / "statements" / "week-of-struggle-2020"
    folder.mkdir(parents=True)
    for name in ("statement.toml", "en.toml", "es.toml"):
        shutil.copy(DEFAULT_STATEMENT / name, folder)
    (tmp_path / "chapters.csv").write_text("id,name,lang,city,event,url\nlyon,Collectif Lyon,es,Lyon,Mitin el jueves,\n")
    # Thumbnails an earlier version left as PNGs: the one a JPEG now replaces goes, anything else stays.
    thumbs = tmp_path / "out" / "site" / "thumbs" / "en" / "poster"
    thumbs.mkdir(parents=True)
    (thumbs / "poster-a4-placard.png").write_bytes(b"old thumbnail")
    (thumbs / "not-ours.png").write_bytes(b"someone else's")
    result = run_cli("build", "--kind", "poster", "--chapters", "chapters.csv", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (thumbs / "poster-a4-placard.jpg").is_file() and not (thumbs / "poster-a4-placard.png").exists()
    assert (thumbs / "not-ours.png").read_bytes() == b"someone else's"
    packs = sorted(p.name for p in (tmp_path / "out" / "packs").glob("*.zip"))
    assert packs == ["week-of-struggle-2020-en.zip", "week-of-struggle-2020-es-lyon.zip",
                     "week-of-struggle-2020-es.zip"]
    assert (tmp_path / "out" / "site" / "index.html").is_file() and (tmp_path / "out" / "site" / "es.html").is_file()
    summary = result.stdout
    assert "assets build" in summary and "15" in summary and "3" in summary
