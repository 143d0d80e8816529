"""Shared helpers: run the real CLI, and read back the PDFs and PNGs it wrote."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest

REPO = Path(__file__).resolve().parent.parent
DEFAULT_STATEMENT = REPO / "statements" / "week-of-struggle-2020"
MM = 72 / 25.4


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m assets_cli ARGS` as a user would; capture everything."""
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "assets_cli", *args],
        cwd=cwd or REPO, env=env, capture_output=True, text=True, timeout=300,
    )


def pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    """Each page's (width, height) in points."""
    document = pdfium.PdfDocument(path)
    try:
        return [tuple(document[i].get_size()) for i in range(len(document))]
    finally:
        document.close()


def pdf_text(path: Path) -> str:
    """The text a reader would copy out of the PDF, whitespace collapsed."""
    document = pdfium.PdfDocument(path)
    try:
        text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    # pdfium reports a hyphen that ends a line as U+FFFE.
    return " ".join(text.replace("\xa0", " ").replace("\ufffe", "-").split())


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Base font name → whether the font program is embedded."""
    fonts = {}
    for page in pypdf.PdfReader(path).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    return fonts


BASE_LINES = {
    "kicker": "Week of International Struggle",
    "headline": "Against US imperialism",
    "dates": "May 25–31, 2020",
    "slogan": "Fight back!",
    "call_to_action": "Protest in front of the US embassy",
}


def make_workspace(tmp_path: Path, **lines: str | None) -> Path:
    """A workspace whose statement is the default one with en.toml replaced.

    Keyword arguments override key lines; None removes one.
    """
    folder = tmp_path / "statements" / "week-of-struggle-2020"
    folder.mkdir(parents=True)
    shutil.copy(DEFAULT_STATEMENT / "statement.toml", folder)
    merged = {key: value for key, value in (BASE_LINES | lines).items() if value is not None}
    (folder / "en.toml").write_text(
        "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in merged.items()), "utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def spanish_posters(tmp_path_factory) -> tuple[Path, list[dict]]:
    """`assets poster --lang es --json`, run once: the output folder and its JSON."""
    out = tmp_path_factory.mktemp("posters-es")
    result = run_cli("poster", "--lang", "es", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)
