"""`assets preview`: the contact sheet, what a saved file affects, and the live server."""

from __future__ import annotations

import http.client
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.request import urlopen

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import sync_playwright

from assets_cli.designs import load_design
from assets_cli.fonts import load_font_map
from assets_cli.preview import Tile, plan_preview, render_preview
from assets_cli.watch import PreviewServer, Watcher, affected
from assets_cli.statements import load_statement
from conftest import DEFAULT_STATEMENT, REPO, run_cli
from test_site import CHROMIUM, FLAGS


def copy_design(workspace: Path, name: str = "mine") -> Path:
    """designs/NAME in the workspace: a copy of placard under its own name."""
    folder = workspace / "designs" / name
    shutil.copytree(REPO / "designs" / "placard", folder)
    edit(folder / "design.toml", 'name = "placard"', f'name = "{name}"')
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


class Sheet(HTMLParser):
    """The parts of the sheet the tests read: images, scripts, tiles' ids and their text."""

    def __init__(self, html: str):
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.links: list[str] = []
        self.scripts = 0
        self.tiles: dict[str, str] = {}  # figure id → its text
        self._tile: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append({**attrs, "tile": self._tile})
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script":
            self.scripts += 1
        if tag == "figure":
            self._tile = attrs["id"]
            self.tiles[self._tile] = ""

    def handle_endtag(self, tag):
        if tag == "figure":
            self._tile = None

    def handle_data(self, data):
        if self._tile:
            self.tiles[self._tile] += data


# --- The sheet ---------------------------------------------------------------------------


def test_sheet_shows_every_planned_size_and_keeps_going_past_overflow_and_errors(tmp_path):
    design = copy_design(tmp_path)
    # Dates that cannot shrink and are set 6 cm tall: they overflow, the poster still renders.
    edit(design / "poster.html", 'class="dates" data-fit="dates" data-fit-min="0.7"',
         'class="dates" data-fit="dates" data-fit-min="1" style="font-size: 6cm"')
    # A template that breaks: social cards fail, the rest of the sheet is made.
    edit(design / "card.html", "{{ lines.headline }}", "{{ lines.headline }}{{ lines.nope.deeper }}")
    started = time.perf_counter()
    result = run_cli("preview", "--design", "mine", "--lang", "es", "--kind", "poster", "--kind", "leaflet",
                     "--kind", "social", "--size", "a4", "--size", "leaflet-a6", "--size", "ig-square",
                     "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote out/preview/mine/index.html" in result.stderr
    assert time.perf_counter() - started < 120

    folder = tmp_path / "out" / "preview" / "mine"
    html = (folder / "index.html").read_text("utf-8")
    sheet = Sheet(html)
    assert set(sheet.tiles) == {"poster-es-a4", "leaflet-es-leaflet-a6", "social-es-ig-square"}
    # Width / height of the page, in its own unit.
    expected = {"poster-es-a4": 210 / 297, "leaflet-es-leaflet-a6": 105 / 148}
    by_tile: dict[str, list[Path]] = {}
    for image in sheet.images:
        path = folder / image["src"].split("?")[0]
        assert path.is_file(), image["src"]
        width, height = Image.open(path).size
        assert abs(width / height - expected[image["tile"]]) < 0.01, (path, width, height)
        assert abs(int(image["width"]) / int(image["height"]) - expected[image["tile"]]) < 0.02
        by_tile.setdefault(image["tile"], []).append(path)
    assert [p.name for p in by_tile["leaflet-es-leaflet-a6"]] == ["leaflet-a6-front.png", "leaflet-a6-back.png"]
    assert Image.open(by_tile["poster-es-a4"][0]).size == (496, 702)  # A4 at the preview's 60 DPI
    assert "overflows: dates" in sheet.tiles["poster-es-a4"]
    assert "210 × 297 mm" in sheet.tiles["poster-es-a4"]
    assert "social-es-ig-square" not in by_tile
    assert "undefined value" in sheet.tiles["social-es-ig-square"] and "card.html" in sheet.tiles["social-es-ig-square"]
    assert "1080 × 1080 px" in sheet.tiles["social-es-ig-square"]
    assert '<html lang="en" dir="ltr">' in html and 'lang="es"' in html
    # Opened from disk: no script, nothing from elsewhere.
    assert sheet.scripts == 0
    assert not [link for link in sheet.links + [i["src"] for i in sheet.images] if "//" in link]
    assert "es social ig-square:" in result.stderr and "undefined value" in result.stderr


def test_unknown_kind_or_size_is_one_line_and_exit_2(tmp_path):
    result = run_cli("preview", "--kind", "poster", "--size", "ig-square", "--out", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: unknown size 'ig-square' (valid: a2, a3, a4, letter, tabloid)"]
    assert not (tmp_path / "preview").exists()


def test_render_preview_renders_only_the_jobs_asked_for_and_keeps_the_rest(tmp_path):
    statement = load_statement(DEFAULT_STATEMENT)
    jobs = plan_preview(statement, load_design(REPO / "designs" / "placard"), None, ["poster"], ["a4", "a3"], tmp_path)
    fonts = load_font_map(REPO / "fonts")
    result = render_preview(jobs, fonts, tmp_path, only=[])
    assert [t.pending for t in result.tiles] == [True, True] and not (tmp_path / "preview").exists()
    result.tiles[1] = Tile(jobs[1], error="kept")
    again = render_preview(jobs, fonts, tmp_path, only=[], previous=result)
    assert [t.pending for t in again.tiles] == [True, False] and again.tiles[1].error == "kept"


# --- What a saved file affects ----------------------------------------------------------------


@pytest.fixture(scope="module")
def placard_copy(tmp_path_factory):
    """A design copy, the default statement and every job in English and Spanish."""
    workspace = tmp_path_factory.mktemp("affected")
    folder = copy_design(workspace)
    (folder / "photo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n')
    with (folder / "design.toml").open("a") as toml:
        toml.write('\n[images]\nphoto = "photo.svg"\n')
    edit(folder / "poster.html", "</body>", '<img class="photo" src="{{ images.photo }}" alt="">\n</body>')
    design = load_design(folder)
    statement = load_statement(DEFAULT_STATEMENT)
    jobs = plan_preview(statement, design, ["en", "es"], None, None, workspace / "out")
    return design, statement, jobs


def touched(placard_copy, *paths: Path) -> set[tuple[str, str]]:
    """The (kind, language) pairs of the jobs the paths affect."""
    design, statement, jobs = placard_copy
    return {(jobs[i].kind, jobs[i].lines.lang)
            for i in affected(paths, jobs, design, statement, REPO / "fonts")}


EVERY = {(kind, lang) for kind in ("poster", "social", "banner", "leaflet") for lang in ("en", "es")}


def test_a_kinds_own_stylesheet_affects_only_that_kind(placard_copy):
    design = placard_copy[0].path
    assert touched(placard_copy, design / "leaflet.css") == {("leaflet", "en"), ("leaflet", "es")}


def test_a_shared_template_affects_the_kinds_that_use_it(placard_copy):
    design = placard_copy[0].path
    assert touched(placard_copy, design / "card.html") == {(k, l) for k in ("social", "banner") for l in ("en", "es")}


def test_an_included_part_affects_every_kind_including_it(placard_copy):
    assert touched(placard_copy, placard_copy[0].path / "_masthead.html") == EVERY


def test_a_language_file_affects_only_that_language(placard_copy):
    statement = placard_copy[1].path
    assert touched(placard_copy, statement / "es.toml") == {(kind, lang) for kind, lang in EVERY if lang == "es"}
    assert touched(placard_copy, statement / "fr.toml") == set()  # not on the sheet
    assert touched(placard_copy, statement / "statement.toml") == EVERY


def test_design_toml_fonts_and_unknown_files_affect_everything(placard_copy):
    design = placard_copy[0].path
    assert touched(placard_copy, design / "design.toml") == EVERY
    assert touched(placard_copy, design / "notes.txt") == EVERY  # cannot tell: be safe
    assert touched(placard_copy, REPO / "fonts" / "fonts.toml") == EVERY


def test_files_loaded_by_css_and_design_images_follow_their_users(placard_copy):
    design = placard_copy[0].path
    assert touched(placard_copy, design / "rays.svg") == EVERY  # url() in placard.css, which every kind links
    assert touched(placard_copy, design / "photo.svg") == {("poster", "en"), ("poster", "es")}  # images.photo
    assert touched(placard_copy, Path("/etc/hostname")) == set()


# --- Watching ----------------------------------------------------------------------------------


def test_watcher_shows_a_broken_design_toml_on_the_page_and_recovers(tmp_path):
    design = copy_design(tmp_path)
    watcher = Watcher(load_statement(DEFAULT_STATEMENT), load_design(design), REPO / "fonts", tmp_path / "out",
                      kinds=["poster"], size_names=["a4"])
    try:
        assert [job.size.name for job in watcher.poll_once()] == ["a4"]
        sheet = watcher.folder / "index.html"
        toml = design / "design.toml"
        good = toml.read_text()
        toml.write_text(good + "oops =\n")
        assert watcher.poll_once() == []  # nothing to render with a design that does not load
        assert "design.toml: line" in sheet.read_text() and "invalid TOML" in sheet.read_text()
        toml.write_text(good.replace('field = "#d7141a"', 'field = "#1a4fd7"'))
        assert [job.size.name for job in watcher.poll_once()] == ["a4"]
        assert "invalid TOML" not in sheet.read_text()
    finally:
        watcher.close()
    red, green, blue = Image.open(watcher.folder / "en" / "poster" / "a4.png").convert("RGB").getpixel((5, 300))
    assert blue > red  # the new field colour


def test_server_serves_only_the_preview_folder(tmp_path):
    folder = tmp_path / "preview" / "mine"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<p>sheet</p>")
    (tmp_path / "secret.txt").write_text("no")
    (folder / "escape.txt").symlink_to(tmp_path / "secret.txt")
    server = PreviewServer(folder, lambda: {"version": 1, "rendering": 0}, port=0)
    try:
        assert server.resolve("/") == (folder / "index.html").resolve()
        for path in ("/../secret.txt", "/../../etc/passwd", "/escape.txt", "/", "/%2e%2e/secret.txt"):
            target = server.resolve(path)
            assert target is None or target.is_relative_to(folder.resolve()), path
        assert server.resolve("/escape.txt") is None
        assert server.url.startswith("http://127.0.0.1:")
    finally:
        server.server_close()


def _read_line(stream, timeout: float) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, "the preview server printed nothing"
    return stream.readline()


def _status(url: str) -> dict:
    with urlopen(url + "__version", timeout=10) as response:
        return json.loads(response.read())


def _wait(url: str, ready, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = _status(url)
        if ready(status):
            return status
        time.sleep(0.3)
    raise AssertionError(f"the sheet did not settle: {status}")


def test_watch_serves_the_sheet_and_re_renders_only_what_a_saved_file_affects(tmp_path):
    design = copy_design(tmp_path)
    # Its own fonts and statement: files others change elsewhere cannot wake this watcher.
    shutil.copytree(REPO / "fonts", tmp_path / "fonts")
    shutil.copytree(DEFAULT_STATEMENT, tmp_path / "statements" / DEFAULT_STATEMENT.name)
    command = [sys.executable, "-m", "assets_cli", "preview", "--watch", "--port", "0", "--design", "mine",
               "--kind", "social", "--kind", "leaflet", "--size", "ig-square", "--size", "leaflet-a6", "--out", "out"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"})
    try:
        line = _read_line(process.stdout, 60)
        assert line.startswith("serving http://127.0.0.1:"), line
        url = line.split()[1]
        first = _wait(url, lambda s: s["rendering"] == 0)
        with urlopen(url, timeout=10) as response:
            html = response.read().decode()
        assert "/__version" in html and "ig-square" in html and "leaflet-a6" in html
        folder = tmp_path / "out" / "preview" / "mine" / "en"
        pngs = {p.name: p for p in folder.rglob("*.png")}
        assert set(pngs) == {"ig-square.png", "leaflet-a6-front.png", "leaflet-a6-back.png"}
        before = {name: (path.stat().st_mtime_ns, Image.open(path).convert("RGB")) for name, path in pngs.items()}

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(url)
            back = "#leaflet-en-leaflet-a6 img >> nth=1"
            shown = page.get_attribute(back, "src")

            edit(design / "leaflet.css", ".back-head { background: var(--color-field);",
                 ".back-head { background: #1a4fd7;")
            _wait(url, lambda s: s["version"] > first["version"] and s["rendering"] == 0)
            # The open page reloads itself and shows the new picture.
            page.wait_for_function("shown => document.querySelectorAll('#leaflet-en-leaflet-a6 img')[1]"
                                   ".getAttribute('src') !== shown", arg=shown, timeout=15000)
            page.wait_for_load_state("load")
            assert problems == []
            browser.close()

        after = {name: (path.stat().st_mtime_ns, Image.open(path).convert("RGB")) for name, path in pngs.items()}
        assert after["ig-square.png"][0] == before["ig-square.png"][0]  # not affected: not rewritten
        assert after["leaflet-a6-front.png"][0] > before["leaflet-a6-front.png"][0]
        assert after["leaflet-a6-back.png"][0] > before["leaflet-a6-back.png"][0]
        assert ImageChops.difference(before["leaflet-a6-back.png"][1], after["leaflet-a6-back.png"][1]).getbbox()

        host, port = url.split("//")[1].rstrip("/").split(":")
        for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd"):
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 404 and b"root:" not in response.read(), path
            connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "stopped" in stderr
    assert "en leaflet leaflet-a6" in stderr
