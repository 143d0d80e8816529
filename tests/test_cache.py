"""The build cache: unchanged assets are kept, and exactly the assets whose inputs changed are made again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, plan
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import DEFAULT_STATEMENT, REPO, make_workspace, pdf_text, run_cli

SIZES = ["x-post"]  # the quickest card: these tests are about what gets made, not how it looks


def workspace_with(tmp_path: Path, langs=("en", "es"), designs=("placard",)) -> Path:
    ws = make_workspace(tmp_path)
    for lang in langs:
        if lang != "en":
            shutil.copy(DEFAULT_STATEMENT / f"{lang}.toml", ws / "statements" / "week-of-struggle-2020")
    for name in designs:
        shutil.copytree(REPO / "designs" / name, ws / "designs" / name)
    return ws


def build(ws: Path, out: Path, langs=("en", "es"), designs=("placard",), force: bool = False) -> dict[str, bool]:
    """Make the cards of `langs` × `designs` in one batch: each file's name → whether it was made (not kept)."""
    workspace = Workspace(ws)
    statement = find_statement(None, workspace)
    jobs = [job for name in designs for lang in langs
            for job in plan("social", statement, lang, find_design(str(ws / "designs" / name), workspace),
                            resolve_sizes("social", SIZES), out)]
    return {w.path.name if len(langs) == 1 else f"{w.lang}/{w.path.name}": not w.reused
            for w in make(jobs, load_font_map(workspace.fonts_dir), force=force)}


def times(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}


def test_an_unchanged_rebuild_makes_nothing_and_touches_no_file(tmp_path):
    ws, out = workspace_with(tmp_path / "ws"), tmp_path / "out"
    first = build(ws, out)
    assert len(first) == 4 and all(first.values())
    before = times(out)
    second = build(ws, out)
    assert second.keys() == first.keys() and not any(second.values())
    assert times(out) == before


def test_editing_one_language_remakes_only_that_language(tmp_path):
    ws, out = workspace_with(tmp_path / "ws"), tmp_path / "out"
    build(ws, out)
    spanish = ws / "statements" / "week-of-struggle-2020" / "es.toml"
    spanish.write_text(spanish.read_text("utf-8").replace("headline = ", 'headline = "¡Fuera!" #', 1), "utf-8")
    again = build(ws, out)
    assert {name for name, made in again.items() if made} == {name for name in again if name.startswith("es/")}
    assert "fuera" in pdf_text(out / "week-of-struggle-2020" / "es" / "social" / "social-x-post-placard.pdf").lower()


def test_editing_a_design_remakes_only_its_assets(tmp_path):
    ws, out = workspace_with(tmp_path / "ws", langs=("en",), designs=("placard", "rally")), tmp_path / "out"
    build(ws, out, langs=("en",), designs=("placard", "rally"))
    css = ws / "designs" / "rally" / "card.css"
    css.write_text(css.read_text("utf-8") + "\n.card { outline: none; }\n", "utf-8")
    again = build(ws, out, langs=("en",), designs=("placard", "rally"))
    assert {name for name, made in again.items() if made} == {"social-x-post-rally.pdf", "social-x-post-rally.png"}


def test_force_makes_everything_again(tmp_path):
    ws, out = workspace_with(tmp_path / "ws", langs=("en",)), tmp_path / "out"
    build(ws, out, langs=("en",))
    assert all(build(ws, out, langs=("en",), force=True).values())


def test_a_deleted_or_edited_file_is_made_again(tmp_path):
    ws, out = workspace_with(tmp_path / "ws"), tmp_path / "out"
    first = build(ws, out)
    folder = out / "week-of-struggle-2020"
    (folder / "es" / "social" / "social-x-post-placard.png").unlink()
    en_pdf = folder / "en" / "social" / "social-x-post-placard.pdf"
    original = en_pdf.read_bytes()
    en_pdf.write_bytes(original[:-1] + b"!")  # same size, other bytes
    again = build(ws, out)
    assert {name for name, made in again.items() if made} == set(first)  # both jobs, each with both files
    assert en_pdf.read_bytes() == original


def test_a_copied_output_folder_is_still_up_to_date(tmp_path):
    """Merging shards' outputs copies files (new times): their checksums say they are the same."""
    ws, out = workspace_with(tmp_path / "ws", langs=("en",)), tmp_path / "out"
    build(ws, out, langs=("en",))
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, copy_function=shutil.copyfile)
    for path in copy.rglob("*.p*"):
        os.utime(path, ns=(1, 1))
    assert not any(build(ws, copy, langs=("en",)).values())


def test_packs_and_the_page_are_left_alone_when_nothing_changed(tmp_path):
    ws = workspace_with(tmp_path / "ws", langs=("en",))
    out = tmp_path / "out"
    args = ("build", "--kind", "social", "--out", str(out), "--jobs", "1")
    first = run_cli(*args, cwd=ws)
    assert first.returncode == 0, first.stderr
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = run_cli(*args, cwd=ws)
    assert second.returncode == 0, second.stderr
    assert "│ 7      │ 14    │ 0    │ 14   │ 1     │ 2     │" in second.stdout, second.stdout
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_the_record_names_each_file_with_its_checksum(tmp_path):
    ws, out = workspace_with(tmp_path / "ws", langs=("en",)), tmp_path / "out"
    build(ws, out, langs=("en",))
    records = [json.loads(p.read_text("utf-8")) for p in (out / ".cache").glob("*.json")]
    assert [r["identity"] for r in records] == ["week-of-struggle-2020/en/social/social-x-post-placard-home"]
    files = {f["path"]: f for f in records[0]["files"]}
    pdf = "week-of-struggle-2020/en/social/social-x-post-placard.pdf"
    assert set(files) == {pdf, pdf[:-3] + "png"}
    assert files[pdf]["sha256"] == hashlib.sha256((out / pdf).read_bytes()).hexdigest()
