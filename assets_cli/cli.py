"""The `assets` command line: thin commands over the library; the only place that prints or exits."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from assets_cli import __version__
from assets_cli.designs import find_design
from assets_cli.errors import AssetsError, InvalidInput
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, plan
from assets_cli.sizes import registry, resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace

app = typer.Typer(
    name="assets",
    help="Turn a campaign statement into posters, social cards, banners and leaflets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True)

LangOpt = Annotated[Optional[str], typer.Option("--lang", "-l", metavar="CODE", help="Language code (default: the statement's).")]
DesignOpt = Annotated[Optional[str], typer.Option("--design", "-d", metavar="NAME|PATH", help="Design NAME or PATH to a design folder.")]
SizeOpt = Annotated[Optional[list[str]], typer.Option("--size", "-s", metavar="SIZE", help="Size name; repeat for several (default: all).")]
StatementOpt = Annotated[Optional[str], typer.Option("--statement", metavar="ID|PATH", help="Statement ID or PATH (default: the built-in one).")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Output folder.")]
DpiOpt = Annotated[Optional[int], typer.Option("--dpi", metavar="N", help="PNG resolution for print sizes (default 150).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON array of the written files on stdout.")]
OverflowOpt = Annotated[bool, typer.Option("--allow-overflow", help="Keep going when text cannot fit its box.")]


def _generate(kind: str, lang, design, size, statement, out, dpi, as_json, allow_overflow) -> None:
    workspace = Workspace(Path.cwd())
    the_statement = find_statement(statement, workspace)
    the_design = find_design(design, workspace)
    fonts = load_font_map(workspace.fonts_dir)
    jobs = plan(kind, the_statement, lang, the_design, resolve_sizes(kind, size), out, dpi)
    written = []
    for item in make(jobs, fonts, allow_overflow=allow_overflow):
        written.append(item)
        if not as_json:
            unit = "px" if item.unit == "px" else item.unit
            err_console.print(f"wrote {item.path}  [dim]{item.width:g}×{item.height:g} {unit}[/dim]", soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps([w.to_json() for w in written], ensure_ascii=False, indent=2) + "\n")


@app.command()
def poster(
    lang: LangOpt = None,
    design: DesignOpt = None,
    size: SizeOpt = None,
    statement: StatementOpt = None,
    out: OutOpt = Path("output"),
    dpi: DpiOpt = None,
    as_json: JsonOpt = False,
    allow_overflow: OverflowOpt = False,
) -> None:
    """Make posters (PDF and PNG) in every poster size, or those given with --size."""
    _generate("poster", lang, design, size, statement, out, dpi, as_json, allow_overflow)


@app.command()
def sizes(kind: Annotated[Optional[str], typer.Argument(help="Only sizes of this kind.")] = None) -> None:
    """List the named sizes with their unit and default DPI."""
    table = Table("name", "kind", "title", "size", "default PNG")
    for s in registry().values():
        if kind and s.kind != kind:
            continue
        w, h = s.pixels()
        png = f"{w}×{h} px" if s.unit == "px" else f"{w}×{h} px at {s.dpi} DPI"
        table.add_row(s.name, s.kind, s.title, f"{s.width:g}×{s.height:g} {s.unit}", png)
    out_console.print(table)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"assets {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what the pipeline does.")] = False,
) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(name)s: %(message)s")
    if not verbose:
        # WeasyPrint warns about CSS it ignores; designers see it with --verbose.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; expected failures print one line and exit with code 2."""
    try:
        app(args=argv, standalone_mode=True)
    except AssetsError as exc:
        problems = exc.problems if isinstance(exc, InvalidInput) else [exc]
        for problem in problems:
            err_console.print(f"error: {problem}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
