"""Untrusted templates: loops, floods, memory bombs and escapes are stopped with one clear line."""

from __future__ import annotations

import shutil
import time

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from assets_cli.errors import RenderError
from assets_cli.sandbox import TemplateSandbox
from conftest import REPO, run_cli

TEMPLATES = {
    "ok.html": "<p>{{ name }}</p>",
    "forever.html": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "flood.html": "{% for a in range(100000) %}{% for b in range(1000) %}{{ name }}{% endfor %}{% endfor %}",
    "greedy.html": "{{ name * 10000000000 }}",
    "recursive.html": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "escape.html": "{{ name.__class__.__mro__ }}",
    "undefined.html": "{{ nothing.here }}",
}


@pytest.fixture
def sandbox():
    env = SandboxedEnvironment(loader=jinja2.DictLoader(TEMPLATES), autoescape=True,
                               undefined=jinja2.StrictUndefined)
    box = TemplateSandbox(env, time_limit=2, memory_mb=256, max_bytes=1024 * 1024)
    yield box
    box.close()


def test_a_normal_template_renders_and_escapes(sandbox):
    assert sandbox.render("ok.html", {"name": "<b>x</b>"}, where="ok.html") == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


@pytest.mark.parametrize("template, message", [
    ("forever.html", "ran for more than 2 s and was stopped"),
    ("flood.html", "wrote more than 1 MB of HTML and was stopped"),
    ("greedy.html", "needed more than 256 MB and was stopped"),
    ("recursive.html", "recursed too deep"),
    ("escape.html", "did something unsafe"),
    ("undefined.html", "undefined value"),
])
def test_a_bad_template_is_stopped_and_the_next_render_works(sandbox, template, message):
    started = time.monotonic()
    with pytest.raises(RenderError) as caught:
        sandbox.render(template, {"name": "abcdefghij"}, where=f"designs/x/{template}")
    assert message in str(caught.value) and str(caught.value).startswith(f"designs/x/{template}: ")
    assert time.monotonic() - started < 15
    assert sandbox.render("ok.html", {"name": "again"}, where="ok.html") == "<p>again</p>"


@pytest.fixture
def design(tmp_path):
    folder = tmp_path / "designs" / "stranger"
    shutil.copytree(REPO / "designs" / "placard", folder)
    toml = folder / "design.toml"
    toml.write_text(toml.read_text().replace('name = "placard"', 'name = "stranger"'))
    return folder


def put_in_poster(design, markup: str) -> None:
    poster = design / "poster.html"
    slogan = '<p class="slogan">{{ lines.slogan | keep_words }}</p>'
    assert slogan in poster.read_text()
    poster.write_text(poster.read_text().replace(slogan, markup))


@pytest.mark.parametrize("markup, message", [
    ("{% for a in range(100000) %}{% for b in range(1000) %}{{ lines.headline }}{% endfor %}{% endfor %}",
     "wrote more than 4 MB of HTML and was stopped"),
    ('{% include "secret.html" %}', "leads out of the design's folder"),
    ('<img src="file:///etc/hostname">', "refused to load file:///etc/hostname"),
])
def test_a_strangers_design_fails_with_one_line_and_writes_nothing(design, tmp_path, markup, message):
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (design / "secret.html").symlink_to(secret)
    put_in_poster(design, markup)
    out = tmp_path / "out"
    result = run_cli("poster", "--design", "stranger", "--size", "a4", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "private" not in result.stderr
    assert not out.exists() or not any(out.rglob("*.*"))
