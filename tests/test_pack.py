"""`assets pack`: chapters from a spreadsheet, and zips read back file by file."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from assets_cli.chapters import load_chapters, slugify
from assets_cli.designs import find_design
from assets_cli.generate import plan
from assets_cli.pack import texts
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import MM, REPO, pdf_text, run_cli

WORKSPACE = Workspace(REPO)
CHAPTERS = """id,name,lang,city,event,url
madrid-centro,Coordinadora Antiimperialista Madrid,es,Madrid,"Concentración: jueves 28 de mayo, 19 h, Embajada de EE. UU.",https://example.org/madrid/firma
manila-north,BAYAN Manila North,tl,Quezon City,"Rally: Huwebes, Mayo 28, 4 PM, US Embassy",
"""


def write_csv(folder: Path, text: str) -> Path:
    path = folder / "chapters.csv"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(scope="module")
def chapter_pack(tmp_path_factory) -> zipfile.ZipFile:
    folder = tmp_path_factory.mktemp("chapter-pack")
    csv = write_csv(folder, CHAPTERS)
    result = run_cli("pack", "--chapters", str(csv), "--chapter", "madrid-centro", "--kind", "poster",
                     "--kind", "leaflet", "--out", str(folder / "out"), "--json")
    assert result.returncode == 0, result.stderr
    entry, = json.loads(result.stdout)
    assert entry["path"].endswith("packs/week-of-struggle-2020-es-madrid-centro.zip")
    assert entry["format"] == "zip" and entry["lang"] == "es"
    data = Path(entry["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    return zipfile.ZipFile(io.BytesIO(data))


def test_a_chapter_pack_holds_every_asset_by_kind(chapter_pack):
    names = set(chapter_pack.namelist())
    for size in ("a4", "a3", "a2", "letter", "tabloid"):
        assert {f"poster/poster-{size}-placard-madrid-centro.pdf", f"poster/poster-{size}-placard-madrid-centro.png"} <= names
    for size in ("a6", "a5", "dl", "half-letter"):
        stem = f"leaflet/leaflet-{size}-placard-madrid-centro"
        assert {f"{stem}.pdf", f"{stem}-front.png", f"{stem}-back.png", f"{stem}-on-a4.pdf", f"{stem}-on-letter.pdf"} <= names
    assert {"README.txt", "captions.md", "manifest.json", "preview.png"} <= names


def test_a_pack_has_a_print_folder_for_the_print_shop(chapter_pack):
    """Every poster and leaflet size also comes as a PDF/X-4 with bleed, in print/, named as it travels."""
    printed = sorted(n for n in chapter_pack.namelist() if n.startswith("print/"))
    expected = [f"print/leaflet-{size}-placard-madrid-centro-print.pdf" for size in ("a5", "a6", "dl", "half-letter")]
    expected += [f"print/poster-{size}-placard-madrid-centro-print.pdf" for size in ("a2", "a3", "a4", "letter", "tabloid")]
    assert printed == sorted(expected)
    manifest = {f["path"]: f for f in json.loads(chapter_pack.read("manifest.json"))["files"]}
    for name in printed:
        assert manifest[name]["print"] is True and manifest[name]["format"] == "pdf"
        reader = pypdf.PdfReader(io.BytesIO(chapter_pack.read(name)))
        assert reader.pdf_header == "%PDF-1.6" and "/OutputIntents" in reader.trailer["/Root"]
        trim = [float(v) for v in reader.pages[0]["/TrimBox"]]
        mm_per_unit = {"mm": 1, "in": 25.4}[manifest[name]["unit"]]
        assert (trim[2] - trim[0]) / MM == pytest.approx(manifest[name]["width"] * mm_per_unit, abs=0.01)
    # The chapter's lines are on the print-shop files too.
    assert "Concentración: jueves 28 de mayo" in pdf_text_of(chapter_pack, "print/poster-a3-placard-madrid-centro-print.pdf")
    readme = chapter_pack.read("README.txt").decode("utf-8")
    assert texts("es")["print_shop"] in readme and "print/" in readme


def test_the_manifest_lists_every_file_with_its_checksum(chapter_pack):
    manifest = json.loads(chapter_pack.read("manifest.json"))
    assert manifest["statement"]["id"] == "week-of-struggle-2020" and manifest["statement"]["version"]
    assert manifest["lang"] == "es" and manifest["chapter"]["id"] == "madrid-centro"
    assert manifest["design"] == "placard" and manifest["tool"]["version"]
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(chapter_pack.namelist()) - {"manifest.json"}
    for name, entry in listed.items():
        data = chapter_pack.read(name)
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest(), name


def test_chapter_name_and_event_are_on_its_poster_and_leaflet(chapter_pack):
    for name in ("poster/poster-a4-placard-madrid-centro.pdf", "leaflet/leaflet-a6-placard-madrid-centro.pdf"):
        text = pdf_text_of(chapter_pack, name)
        assert "Concentración: jueves 28 de mayo, 19 h, Embajada de EE. UU." in text, name
    assert "Coordinadora Antiimperialista Madrid" in pdf_text_of(chapter_pack, "poster/poster-a4-placard-madrid-centro.pdf")


def pdf_text_of(archive: zipfile.ZipFile, name: str) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(archive.read(name))
        handle.flush()
        return pdf_text(Path(handle.name))


def test_the_chapter_qr_leads_to_its_own_url(chapter_pack):
    with Image.open(io.BytesIO(chapter_pack.read("leaflet/leaflet-a6-placard-madrid-centro-front.png"))) as image:
        assert [code.text for code in zxingcpp.read_barcodes(image)] == ["https://example.org/madrid/firma"]


def test_readme_captions_and_preview_speak_to_the_chapter(chapter_pack):
    readme = chapter_pack.read("README.txt").decode("utf-8")
    assert "Coordinadora Antiimperialista Madrid" in readme and "100" in readme
    spanish = texts("es")
    assert spanish["printing"] in readme and spanish["duplex"] in readme and spanish["inside"] in readme
    assert "https://example.org/madrid/firma" in readme
    captions = chapter_pack.read("captions.md").decode("utf-8")
    for png in (n for n in chapter_pack.namelist() if n.endswith(".png") and n != "preview.png"):
        line = next(line for line in captions.splitlines() if f"`{png}`" in line and line.startswith("- "))
        assert 0 < len(line.split("`: ", 1)[1]) <= 125
    with Image.open(io.BytesIO(chapter_pack.read("preview.png"))) as preview:
        assert preview.width == 1600 and preview.height > 400


def test_a_chapter_without_its_own_url_gets_the_statement_url_tagged_with_its_id(tmp_path):
    statement = find_statement(None, WORKSPACE)
    manila = load_chapters(write_csv(tmp_path, CHAPTERS), statement)[1]
    job, = plan("leaflet", statement, None, find_design(None, WORKSPACE), resolve_sizes("leaflet", ["leaflet-a6"]),
                tmp_path, chapter=manila)
    assert job.lines.lang == "tl"
    assert job.qr.url == ("https://ilps.info/?utm_source=leaflet&utm_medium=print"
                          "&utm_campaign=week-of-struggle-2020&utm_content=manila-north")
    assert job.path("pdf").parent == tmp_path / "week-of-struggle-2020" / "chapters" / "manila-north" / "leaflet"


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_written(tmp_path):
    csv = write_csv(tmp_path, "id,name,lang,city,event,url\n"
                              "ok-one,Good,es,,,\n"
                              "bad-lang,Name,xx,,,\n"
                              "bad-url,Name,es,,,javascript:alert(1)\n"
                              "empty-name,,es,,,\n"
                              "../etc,Name,es,,,\n"
                              "ok-one,Again,es,,,\n")
    result = run_cli("pack", "--chapters", str(csv), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for row, message in [(3, "unknown language 'xx'"), (4, "must be an http:// or https:// address"),
                         (5, "name is empty"), (6, "looks like a path"), (7, "duplicate id 'ok-one'")]:
        assert any(f"row {row}: " in line and message in line for line in result.stderr.splitlines()), (row, result.stderr)
    assert not (tmp_path / "out").exists()


def test_packs_are_byte_identical_when_built_twice(tmp_path):
    zips = []
    for attempt in ("one", "two"):
        result = run_cli("pack", "--lang", "ko", "--kind", "poster", "--out", str(tmp_path / attempt), "--json")
        assert result.returncode == 0, result.stderr
        zips.append(Path(json.loads(result.stdout)[0]["path"]).read_bytes())
    assert zips[0] == zips[1]
    assert zipfile.ZipFile(io.BytesIO(zips[0])).getinfo("README.txt").date_time == (1980, 1, 1, 0, 0, 0)


@pytest.mark.parametrize("text, slug", [("Manila North!", "manila-north"), ("São Paulo", "sao-paulo"),
                                        ("../../etc", "etc"), ("a" * 80, "a" * 64)])
def test_slugs_are_safe_file_names(text, slug):
    assert slugify(text) == slug


def test_without_a_chapter_the_slots_vanish(tmp_path):
    from assets_cli.context import build_context
    from assets_cli.fonts import load_font_map
    from assets_cli.render import Renderer

    statement, design = find_statement(None, WORKSPACE), find_design(None, WORKSPACE)
    fonts = load_font_map(WORKSPACE.fonts_dir)
    for kind, size in (("poster", "a4"), ("leaflet", "leaflet-a6")):
        job, = plan(kind, statement, "es", design, resolve_sizes(kind, [size]), tmp_path)
        html = Renderer(design, fonts).html(kind, build_context(
            kind, statement, job.lines, design, job.size, fonts, job.dpi, job.qr))
        assert 'class="event"' not in html and 'class="local"' not in html


def test_captions_give_each_platform_its_text_link_and_the_chapters_event(tmp_path):
    from assets_cli.pack import LINK_LENGTH, captions, plan_pack

    statement = find_statement(None, WORKSPACE)
    manila = load_chapters(write_csv(tmp_path, CHAPTERS), statement)[1]
    pack = plan_pack(statement, None, find_design(None, WORKSPACE), tmp_path, [], chapter=manila, kinds=["social"])
    images = sorted(f"social/{job.path('png').name}" for job in pack.jobs)
    text = captions(pack, images)
    sections = {block.split("\n", 1)[0]: block for block in text.split("\n## ")[1:]}
    assert {"Instagram", "Facebook", "WhatsApp", "X", "LinkedIn", "YouTube"} <= set(sections)
    for name, block in sections.items():
        if name in ("Instagram", "X", "LinkedIn"):
            assert "Rally: Huwebes, Mayo 28, 4 PM, US Embassy" in block
            assert f"utm_source={name.lower()}&utm_medium=social" in block and "utm_content=manila-north" in block
    x = sections["X"]
    body = x.split("**\n\n", 1)[1].split("\n\nLink", 1)[0].split("\n\nHashtags: ")
    post, tags = body[0], body[1] if len(body) > 1 else ""
    assert len(post) + len(tags) + LINK_LENGTH + 2 <= 280
    assert "social/social-x-post-placard-manila-north.png" in x
