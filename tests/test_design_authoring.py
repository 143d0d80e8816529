"""What a designer does: design.toml errors with lines, `designs new`, `designs add`, `init`."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from conftest import REPO, pdf_text, run_cli

GOOD_TOML = (REPO / "assets_cli" / "starter" / "design.toml").read_text("utf-8")


def write_design(folder: Path, toml: str) -> Path:
    folder.mkdir(parents=True)
    for file in (REPO / "assets_cli" / "starter").iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    (folder / "design.toml").write_text(toml, "utf-8")
    return folder


def test_design_toml_problems_are_reported_together_with_file_and_line(tmp_path):
    toml = (GOOD_TOML.replace("__NAME__", "bad").replace("__TITLE__", "Bad")
            .replace('kinds = ["poster", "social", "banner", "leaflet"]', 'kinds = ["poster", "flyer"]\ncolour = 3')
            .replace('poster = "page.html"', 'poster = "missing.html"')
            .replace('accent = "#ffd166"', 'accent = "yellowish"'))
    folder = write_design(tmp_path / "designs" / "bad", toml)
    lines = toml.splitlines()

    def line(prefix: str) -> int:
        return next(i for i, text in enumerate(lines, 1) if text.startswith(prefix))

    result = run_cli("designs", "check", "bad", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    where = f"{folder / 'design.toml'}:"
    assert f"{where}{line('colour')}: unknown key 'colour'" in result.stderr
    assert f"{where}{line('kinds')}: unknown kind 'flyer' (valid: banner, leaflet, poster, social)" in result.stderr
    assert f"{where}{line('poster =')}: template 'missing.html' for poster not found" in result.stderr
    assert f"{where}{line('accent')}: palette.accent = 'yellowish' is not a CSS colour" in result.stderr
    assert f"{where}{line('social =')}: templates.social names a kind not listed in kinds" in result.stderr
    assert len(errors) == 7, errors  # banner and leaflet too


def test_a_wrong_type_and_an_unknown_font_role_name_their_lines(tmp_path):
    toml = (GOOD_TOML.replace("__NAME__", "odd").replace("__TITLE__", "Odd")
            .replace('fonts = ["display", "text"]', 'fonts = ["display", "handwriting"]'))
    folder = write_design(tmp_path / "designs" / "odd", toml)
    fonts_line = next(i for i, t in enumerate(toml.splitlines(), 1) if t.startswith("fonts"))
    result = run_cli("designs", "check", "odd", cwd=tmp_path)
    assert result.returncode == 2
    assert (f"{folder / 'design.toml'}:{fonts_line}: unknown font role 'handwriting' (valid: display" in result.stderr)

    (folder / "design.toml").write_text(toml.replace('title = "Odd"', "title = 7"), "utf-8")
    result = run_cli("poster", "--design", "odd", "--size", "a4", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    title_line = next(i for i, t in enumerate(toml.splitlines(), 1) if t.startswith("title"))
    assert f"design.toml:{title_line}: title must be a text, not int" in result.stderr
    assert not (tmp_path / "out").exists()


def ground_colour(png: Path) -> tuple[int, int, int]:
    with Image.open(png) as image:
        return image.convert("RGB").getpixel((2, 2))


def test_a_new_design_renders_every_kind_and_follows_a_designers_edits(tmp_path):
    result = run_cli("designs", "new", "my-design", "--title", "My design", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "designs" / "my-design"
    assert "made" in result.stderr and (folder / "design.toml").is_file()
    listing = run_cli("designs", "list", cwd=tmp_path)
    assert "my-design" in listing.stdout and "My design" in listing.stdout

    out = tmp_path / "out"
    sizes = {"poster": ["a4"], "social": ["ig-square", "story"], "banner": ["x-header", "rollup"],
             "leaflet": ["leaflet-dl"]}
    written = []
    for kind, names in sizes.items():
        args = [kind, "--design", "my-design", "--out", str(out), "--json"]
        for name in names:
            args += ["--size", name]
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        written += json.loads(result.stdout)
    pdfs = [Path(w["path"]) for w in written if w["format"] == "pdf"]
    assert len(pdfs) == 6
    for pdf in pdfs:
        assert "AGAINST US IMPERIALISM" in pdf_text(pdf).upper(), pdf
    poster_png = next(Path(w["path"]) for w in written if w["size"] == "a4" and w["format"] == "png")
    assert ground_colour(poster_png) == (0x16, 0x32, 0x4F)

    # A designer changes the palette and the headline's style: the next render shows both.
    toml = folder / "design.toml"
    toml.write_text(toml.read_text().replace('ground = "#16324f"', 'ground = "#5a1a6b"'))
    css = folder / "style.css"
    css.write_text(css.read_text().replace("text-transform: uppercase;", "text-transform: none;", 1))
    result = run_cli("poster", "--design", "my-design", "--size", "a4", "--out", str(out), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    files = {w["format"]: Path(w["path"]) for w in json.loads(result.stdout)}
    assert ground_colour(files["png"]) == (0x5A, 0x1A, 0x6B)
    assert "Against US imperialism" in pdf_text(files["pdf"])


def test_the_starter_sets_arabic_right_to_left(tmp_path):
    run_cli("designs", "new", "mine", cwd=tmp_path)
    result = run_cli("social", "--design", "mine", "--lang", "ar", "--size", "ig-square", "--out",
                     str(tmp_path / "out"), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "الإمبريالية" in pdf_text(Path(json.loads(result.stdout)[0]["path"]))


@pytest.mark.parametrize("name, message", [
    ("My Design", "is not a safe folder name"),
    ("../up", "is not a safe folder name"),
    ("placard-copy", None),
])
def test_designs_new_names(tmp_path, name, message):
    result = run_cli("designs", "new", name, cwd=tmp_path)
    if message is None:
        assert result.returncode == 0, result.stderr
        again = run_cli("designs", "new", name, cwd=tmp_path)
        assert again.returncode == 2 and "already exists" in again.stderr
    else:
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "designs").exists() or not any((tmp_path / "designs").iterdir())


def test_designs_new_from_copies_a_design_under_its_new_name(tmp_path):
    result = run_cli("designs", "new", "red-two", "--from", "placard", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    toml = (tmp_path / "designs" / "red-two" / "design.toml").read_text()
    assert 'name = "red-two"' in toml and 'title = "Red Two"' in toml and "[palette]" in toml
    assert (tmp_path / "designs" / "red-two" / "rays.svg").is_file()


def test_init_makes_a_workspace_whose_files_are_used(tmp_path):
    workspace = tmp_path / "campaign"
    result = run_cli("init", str(workspace), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for folder in ("statements/week-of-struggle-2020", "designs/placard", "fonts"):
        assert (workspace / folder).is_dir(), folder
    assert (workspace / "fonts" / "fonts.toml").is_file() and (workspace / "designs" / "README.md").is_file()
    en = workspace / "statements" / "week-of-struggle-2020" / "en.toml"
    en.write_text(en.read_text().replace("Against US imperialism", "Hands off our future"))
    result = run_cli("poster", "--size", "a4", "--out", "out", "--json", cwd=workspace)
    assert result.returncode == 0, result.stderr
    pdf = next(Path(w["path"]) for w in json.loads(result.stdout) if w["format"] == "pdf")
    assert "HANDS OFF OUR FUTURE" in pdf_text(workspace / pdf)

    again = run_cli("init", str(workspace), cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def zip_of(entries: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def starter_entries(prefix: str = "shared/", name: str = "shared") -> dict[str, bytes]:
    entries = {f"{prefix}{file.name}": file.read_bytes()
               for file in sorted((REPO / "assets_cli" / "starter").iterdir()) if file.name != "design.toml"}
    entries[f"{prefix}design.toml"] = GOOD_TOML.replace("__NAME__", name).replace("__TITLE__", "Shared").encode()
    return entries


def test_designs_add_installs_a_zipped_design(tmp_path):
    archive = tmp_path / "shared.zip"
    archive.write_bytes(zip_of(starter_entries() | {"__MACOSX/._page.html": b"junk"}))
    result = run_cli("designs", "add", str(archive), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "designs" / "shared" / "design.toml").is_file()
    assert not (tmp_path / "designs" / "__MACOSX").exists()
    mode = (tmp_path / "designs" / "shared" / "page.html").stat().st_mode
    assert not mode & stat.S_IXUSR
    result = run_cli("poster", "--design", "shared", "--size", "a4", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    again = run_cli("designs", "add", str(archive), cwd=tmp_path)
    assert again.returncode == 2 and "already here" in again.stderr


@pytest.mark.parametrize("case, message", [
    ("traversal", "leads out of the folder (..)"),
    ("absolute", "has an absolute or Windows path"),
    ("link", "is a symbolic link"),
    ("bomb", "unpacks to"),
    ("no-toml", "no design.toml at the top"),
    ("not-zip", "not a zip archive"),
    ("bad-template", "template syntax error"),
])
def test_designs_add_refuses_unsafe_or_broken_archives(tmp_path, case, message):
    entries = starter_entries()
    links = None
    if case == "traversal":
        entries["shared/../../evil.sh"] = b"echo pwned"
    elif case == "absolute":
        entries["/tmp/evil.sh"] = b"echo pwned"
    elif case == "link":
        links = {"shared/secret.css": "/etc/passwd"}
    elif case == "bomb":
        entries["shared/huge.svg"] = b"\0" * (120 * 1024 * 1024)  # 120 MB of zeros deflate to about 120 KB
    elif case == "no-toml":
        del entries["shared/design.toml"]
    elif case == "bad-template":
        entries["shared/page.html"] = b"<p>{% if lines.kicker %}unclosed</p>\n"
    archive = tmp_path / "design.zip"
    archive.write_bytes(b"PK not really" if case == "not-zip" else zip_of(entries, links))
    if case == "bomb":
        assert archive.stat().st_size < 1024 * 1024
    result = run_cli("designs", "add", str(archive), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    designs = tmp_path / "designs"
    assert not designs.exists() or not any(designs.iterdir()), list(designs.iterdir())
    assert not (tmp_path / "evil.sh").exists()
