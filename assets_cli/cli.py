"""The `assets` command line: thin commands over the library; the only place that prints or exits."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assets_cli import __version__
from assets_cli.designs import all_designs, find_design
from assets_cli.designzip import add_design
from assets_cli.scaffold import init_workspace, new_design
from assets_cli.errors import AssetsError, InvalidInput
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, make_each, parse_shard, plan, print_sizes, shard
from assets_cli.pack import build_packs, plan_packs
from assets_cli.site import build_site, make_thumbs
from assets_cli.sizes import registry, resolve_sizes
from assets_cli.scripts import language_name
from assets_cli.statements import TEXT_LINES, find_statement
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


JobsOpt = Annotated[Optional[int], typer.Option(
    "--jobs", "-j", metavar="N", help="Render N assets at once, one per core (default: every core).")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Make every file again, even those whose inputs have not changed since they were written.")]


def _workers(jobs: int | None) -> int:
    from assets_cli.launch import cores

    if jobs is None:
        return cores()
    if jobs < 1:
        raise AssetsError(f"--jobs {jobs} is out of range", hint=f"choose 1 or more; this machine has {cores()} cores")
    return jobs


NoUtmOpt = Annotated[bool, typer.Option("--no-utm", help="QR codes link to the plain URL, without UTM tags.")]
PrintOpt = Annotated[bool, typer.Option(
    "--print", help="Instead, make the PDFs to send to a print shop: PDF/X-4, CMYK intent, 3 mm bleed, crop marks.")]


def _generate(kind: str, lang, design, size, statement, out, dpi, as_json, allow_overflow, utm, jobs, force,
              sheet: str | None = None, for_print: bool = False) -> None:
    workers = _workers(jobs)
    workspace = Workspace(Path.cwd())
    the_statement = find_statement(statement, workspace)
    the_design = find_design(design, workspace)
    fonts = load_font_map(workspace.fonts_dir)
    if for_print and sheet:
        raise AssetsError("--sheet imposes leaflets for a home printer; --print makes files for a print shop",
                          hint="print shops impose the --print PDF themselves: use one or the other")
    sheets = resolve_sizes("sheet", [sheet]) if sheet else []
    sizes = print_sizes(kind, size) if for_print else resolve_sizes(kind, size)
    planned = plan(kind, the_statement, lang, the_design, sizes, out, dpi, utm=utm, sheets=sheets,
                   home=not for_print, for_print=for_print)
    written = []
    for item in make(planned, fonts, allow_overflow=allow_overflow, workers=workers, force=force):
        written.append(item)
        for warning in item.warnings:
            err_console.print(f"[yellow]warning:[/yellow] {escape(f'{item.path.name}: {warning}')}", soft_wrap=True)
        if not as_json:
            trim = "trim " if item.for_print else ""
            done = "kept " if item.reused else "wrote"
            err_console.print(f"{done} {item.path}  [dim]{trim}{item.width:g}×{item.height:g} {item.unit}"
                              f"{'  (unchanged)' if item.reused else ''}[/dim]", soft_wrap=True)
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
    no_utm: NoUtmOpt = False,
    for_print: PrintOpt = False,
    jobs: JobsOpt = None,
    force: ForceOpt = False,
) -> None:
    """Make posters (PDF and PNG) in every poster size, or those given with --size."""
    _generate("poster", lang, design, size, statement, out, dpi, as_json, allow_overflow, not no_utm, jobs, force,
              for_print=for_print)


@app.command()
def social(
    lang: LangOpt = None,
    design: DesignOpt = None,
    size: SizeOpt = None,
    statement: StatementOpt = None,
    out: OutOpt = Path("output"),
    as_json: JsonOpt = False,
    allow_overflow: OverflowOpt = False,
    no_utm: NoUtmOpt = False,
    jobs: JobsOpt = None,
    force: ForceOpt = False,
) -> None:
    """Make social media cards (PNG, and PDF) for every platform size, or those given with --size."""
    _generate("social", lang, design, size, statement, out, None, as_json, allow_overflow, not no_utm, jobs, force)


@app.command()
def banner(
    lang: LangOpt = None,
    design: DesignOpt = None,
    size: SizeOpt = None,
    statement: StatementOpt = None,
    out: OutOpt = Path("output"),
    dpi: DpiOpt = None,
    as_json: JsonOpt = False,
    allow_overflow: OverflowOpt = False,
    no_utm: NoUtmOpt = False,
    for_print: PrintOpt = False,
    jobs: JobsOpt = None,
    force: ForceOpt = False,
) -> None:
    """Make web banners (PNG) and print banners (vector PDF with a small PNG preview)."""
    _generate("banner", lang, design, size, statement, out, dpi, as_json, allow_overflow, not no_utm, jobs, force,
              for_print=for_print)


@app.command()
def leaflet(
    lang: LangOpt = None,
    design: DesignOpt = None,
    size: SizeOpt = None,
    statement: StatementOpt = None,
    out: OutOpt = Path("output"),
    dpi: DpiOpt = None,
    sheet: Annotated[Optional[str], typer.Option(
        "--sheet", metavar="PAPER", help="Also impose each leaflet on home-printer paper: a4 or letter.")] = None,
    as_json: JsonOpt = False,
    allow_overflow: OverflowOpt = False,
    no_utm: NoUtmOpt = False,
    for_print: PrintOpt = False,
    jobs: JobsOpt = None,
    force: ForceOpt = False,
) -> None:
    """Make two-sided QR leaflets (front and back), optionally imposed on A4 or Letter sheets."""
    _generate("leaflet", lang, design, size, statement, out, dpi, as_json, allow_overflow, not no_utm, jobs, force,
              sheet, for_print)


@app.command()
def sizes(kind: Annotated[Optional[str], typer.Argument(help="Only sizes of this kind.")] = None) -> None:
    """List the named sizes with their unit and default DPI."""
    table = Table("name", "kind", "title", "size", "PNG", "DPI")
    for s in registry():
        if kind and s.kind != kind:
            continue
        w, h = s.pixels()
        table.add_row(s.name, s.kind, s.title, f"{s.width:g}×{s.height:g} {s.unit}", f"{w}×{h}",
                      "" if s.unit == "px" else str(s.dpi))
    out_console.print(table)


@app.command()
def pack(
    lang: Annotated[Optional[list[str]], typer.Option("--lang", "-l", metavar="CODE", help="Language; repeat for several (default: the statement's).")] = None,
    all_langs: Annotated[bool, typer.Option("--all", help="A pack for every language of the statement.")] = False,
    chapters: Annotated[Optional[Path], typer.Option("--chapters", metavar="FILE.csv", help="Chapters (id, name, lang, city, event, url): a pack for each.")] = None,
    chapter: Annotated[Optional[list[str]], typer.Option("--chapter", metavar="ID", help="Only this chapter of --chapters; repeat for several.")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", metavar="KIND", help="Only these kinds (default: all the design makes).")] = None,
    design: DesignOpt = None,
    statement: StatementOpt = None,
    out: OutOpt = Path("output"),
    as_json: JsonOpt = False,
    jobs: JobsOpt = None,
    force: ForceOpt = False,
) -> None:
    """Zip every asset of a language (or a chapter) with captions, README, manifest and preview."""
    workers = _workers(jobs)
    workspace = Workspace(Path.cwd())
    the_statement = find_statement(statement, workspace)
    the_design = find_design(design, workspace)
    fonts = load_font_map(workspace.fonts_dir)
    packs = plan_packs(the_statement, the_design, out, langs=lang, all_langs=all_langs, chapters_csv=chapters,
                       chapter_ids=chapter, kinds=kind)
    written = []
    with err_console.status("packing…") as status:
        for result in build_packs(packs, fonts, workers=workers, force=force,
                                  progress=lambda w: status.update(f"{w.lang}: {w.path.name}")):
            written.append(result)
            if not as_json:
                err_console.print(f"{'kept ' if result.reused else 'wrote'} {result.path}", soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps([w.to_json() for w in written], ensure_ascii=False, indent=2) + "\n")


@app.command()
def site(
    statement: StatementOpt = None,
    out: OutOpt = Path("output"),
) -> None:
    """Write the download page (OUT/site/) from the packs in OUT/packs/."""
    workspace = Workspace(Path.cwd())
    the_statement = find_statement(statement, workspace)
    for path in build_site(out, the_statement, load_font_map(workspace.fonts_dir)):
        err_console.print(f"wrote {path}", soft_wrap=True)


@app.command()
def build(
    chapters: Annotated[Optional[Path], typer.Option("--chapters", metavar="FILE.csv", help="Also a pack for each chapter.")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", metavar="KIND", help="Only these kinds (default: all).")] = None,
    design: DesignOpt = None,
    statement: StatementOpt = None,
    out: OutOpt = Path("output"),
    jobs: JobsOpt = None,
    force: ForceOpt = False,
    shard_of: Annotated[Optional[str], typer.Option(
        "--shard", metavar="K/N", help="Make only part K of N of the assets (for N machines); no packs or page.")] = None,
) -> None:
    """Make everything: every language × kind × size, a pack per language (and chapter), the download page.

    Assets whose inputs have not changed since they were written are kept, not made again.
    """
    started = time.perf_counter()
    workers = _workers(jobs)
    part = parse_shard(shard_of) if shard_of is not None else None
    workspace = Workspace(Path.cwd())
    the_statement = find_statement(statement, workspace)
    the_design = find_design(design, workspace)
    fonts = load_font_map(workspace.fonts_dir)
    packs = plan_packs(the_statement, the_design, out, all_langs=True, kinds=kind)
    if chapters is not None:
        packs += plan_packs(the_statement, the_design, out, chapters_csv=chapters, kinds=kind)
    if part is not None:
        _build_shard([job for one in packs for job in one.jobs], part, fonts, workers, force, started)
        return
    total = sum(len(p.jobs) for p in packs)
    counts = {"files": 0, "made": 0}
    written = []
    with _progress() as progress:
        task = progress.add_task("assets", total=total)

        def advance(item) -> None:
            counts["files"] += 1
            counts["made"] += not item.reused
            # One PDF per asset; imposed sheets and PNGs come with it.
            if item.format == "pdf" and "-on-" not in item.size and not item.for_print:
                progress.update(task, advance=1, description=f"{item.lang} {item.kind} {item.size}")

        for pack_file in build_packs(packs, fonts, progress=advance, workers=workers, force=force):
            written.append(pack_file)
            if not pack_file.reused:  # a kept pack's thumbnails are the page's to check
                make_thumbs(out, the_statement, pack_file.path)
        pages = build_site(out, the_statement, fonts)
    size = sum(w.path.stat().st_size for w in written)
    table = Table("assets", "files", "made", "kept", "packs", "pages", "time", "packs size",
                  title=f"assets build: {the_statement.id}")
    table.add_row(str(total), str(counts["files"]), str(counts["made"]), str(counts["files"] - counts["made"]),
                  str(len(written)), str(len(pages)), f"{time.perf_counter() - started:.1f} s", f"{size / 1e6:.1f} MB")
    out_console.print(table)
    out_console.print(f"download page: {out / 'site' / 'index.html'}")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console)


def _build_shard(all_jobs, part: tuple[int, int], fonts, workers: int, force: bool, started: float) -> None:
    """One machine's part of a build: its assets only; packs and the page come once every part is merged."""
    mine = shard(all_jobs, *part)
    made = kept = 0
    with _progress() as progress:
        task = progress.add_task(f"shard {part[0]}/{part[1]}", total=len(mine))
        for job, files in make_each(mine, fonts, workers=workers, force=force):
            made += not files[0].reused
            kept += files[0].reused
            progress.update(task, advance=1, description=f"{job.lines.lang} {job.kind} {job.size.name}")
    out_console.print(f"shard {part[0]}/{part[1]}: {len(mine)} of {len(all_jobs)} assets ({made} made, {kept} kept) "
                      f"in {time.perf_counter() - started:.1f} s")
    out_console.print("when every shard is done, copy their output folders (with .cache/) into one and run "
                      "`assets build` there: it keeps every asset and makes the packs and the download page")


@app.command()
def check(
    lang: Annotated[Optional[list[str]], typer.Option("--lang", "-l", metavar="CODE", help="Language; repeat for several (default: all).")] = None,
    design: Annotated[Optional[list[str]], typer.Option("--design", "-d", metavar="NAME|PATH", help="Design; repeat for several (default: all).")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", metavar="KIND", help="poster, social, banner or leaflet; repeat (default: all).")] = None,
    size: SizeOpt = None,
    statement: StatementOpt = None,
) -> None:
    """Lay out every language × design × size; report overflow, missing glyphs, QR, text size, contrast."""
    workspace = Workspace(Path.cwd())
    the_statement = find_statement(statement, workspace)
    fonts = load_font_map(workspace.fonts_dir)
    from assets_cli.check import plan_checks  # WeasyPrint: only for commands that lay out

    jobs = plan_checks(the_statement, lang, [find_design(d, workspace) for d in design or all_designs(workspace)],
                       kind, size)
    _report_checks(jobs, fonts, f"assets check: {the_statement.id}")


def _report_checks(jobs, fonts, title: str) -> None:
    """Check `jobs`, print one table row each and a count; exit 1 when any fails."""
    from assets_cli.check import check as check_jobs, report_row

    table = Table("lang", "design", "size", "overflow", "glyphs", "QR", "smallest text", "contrast", "print", "",
                  title=title)
    failed = 0
    with err_console.status("checking…") as status:
        for done, report in enumerate(check_jobs(jobs, fonts), 1):
            status.update(f"checked {done}/{len(jobs)}")
            failed += not report.ok
            table.add_row(*report_row(report))
    out_console.print(table)
    out_console.print(f"{len(jobs) - failed} of {len(jobs)} assets pass" + (f", {failed} fail" if failed else ""))
    if failed:
        raise typer.Exit(1)


designs_app = typer.Typer(help="List, make, add and check designs.", no_args_is_help=True)
app.add_typer(designs_app, name="designs")


@designs_app.command("list")
def designs_list() -> None:
    """The designs this workspace can use: name, title, kinds, author, licence."""
    workspace = Workspace(Path.cwd())
    table = Table("name", "title", "kinds", "author", "licence", "folder")
    for name in all_designs(workspace):
        design = find_design(name, workspace)
        table.add_row(design.name, design.title, ", ".join(design.kinds), design.author, design.licence,
                      str(design.path))
    out_console.print(table)


@designs_app.command("check")
def designs_check(
    design: Annotated[str, typer.Argument(metavar="NAME|PATH", help="The design to check.")],
    statement: StatementOpt = None,
) -> None:
    """Validate a design (design.toml, template syntax) and lay out a sample: each kind's extreme shapes in a language of each script."""
    workspace = Workspace(Path.cwd())
    the_design = find_design(design, workspace)
    fonts = load_font_map(workspace.fonts_dir)
    from assets_cli.check import sample_checks, validate_design

    for note in validate_design(the_design, fonts):
        err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    the_statement = find_statement(statement, workspace)
    jobs = sample_checks(the_statement, the_design)
    _report_checks(jobs, fonts, f"assets designs check: {the_design.name}")


@app.command()
def preview(
    design: DesignOpt = None,
    lang: Annotated[Optional[list[str]], typer.Option("--lang", "-l", metavar="CODE", help="Language; repeat for several (default: the statement's).")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", metavar="KIND", help="Only these kinds; repeat (default: all the design makes).")] = None,
    size: SizeOpt = None,
    statement: StatementOpt = None,
    out: OutOpt = Path("output"),
    watch: Annotated[bool, typer.Option("--watch", help="Serve the sheet on 127.0.0.1; re-render what each saved file affects.")] = False,
    port: Annotated[int, typer.Option("--port", metavar="N", help="Port for --watch (0: any free one).")] = 8000,
) -> None:
    """Write a contact sheet of every size to OUT/preview/DESIGN/index.html; --watch keeps it live while you work."""
    from assets_cli.preview import plan_preview, render_preview, write_sheet
    from assets_cli.watch import Watcher, serve  # http.server: only when watching

    workspace = Workspace(Path.cwd())
    the_statement = find_statement(statement, workspace)
    the_design = find_design(design, workspace)
    jobs = plan_preview(the_statement, the_design, lang, kind, size, out)

    def report(tile) -> None:
        name = f"{tile.job.lines.lang} {tile.job.kind} {tile.job.size.name}"
        if tile.problem:
            err_console.print(f"{name}: {tile.problem}", style="red", markup=False, highlight=False, soft_wrap=True)
        else:
            err_console.print(f"{name}  {tile.seconds:.1f} s", markup=False, highlight=False)

    if not watch:
        with err_console.status("rendering…") as status:
            def progress(tile, done: int, total: int) -> None:
                status.update(f"rendered {done}/{total}")
                report(tile)
            result = render_preview(jobs, load_font_map(workspace.fonts_dir), out, progress=progress)
        err_console.print(f"wrote {write_sheet(result)}", soft_wrap=True, highlight=False)
        return
    watcher = Watcher(the_statement, the_design, workspace.fonts_dir, out, langs=lang, kinds=kind, size_names=size,
                      progress=report)
    # A shell starts background jobs with SIGINT ignored, and service managers
    # stop with SIGTERM: both should stop the server as Ctrl-C does.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        serve(watcher, port, ready=lambda url: out_console.print(f"serving {url}  (Ctrl-C to stop)", soft_wrap=True,
                                                                 highlight=False))
    except KeyboardInterrupt:
        err_console.print("stopped", highlight=False)


@designs_app.command("new")
def designs_new(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Folder name: lowercase letters, digits, hyphens.")],
    title: Annotated[Optional[str], typer.Option("--title", help="The design's title (default: from NAME).")] = None,
    source: Annotated[Optional[str], typer.Option("--from", metavar="NAME|PATH", help="Copy this design instead of the commented starter.")] = None,
) -> None:
    """Make designs/NAME: a commented starter design that renders every kind at every size."""
    workspace = Workspace(Path.cwd())
    the_source = find_design(source, workspace) if source else None
    design = new_design(name, workspace.root / "designs", title=title, source=the_source)
    err_console.print(f"made {design.path}", soft_wrap=True, highlight=False)
    err_console.print(f"next: assets poster --design {design.name} --size a4, then assets designs check {design.name}",
                      soft_wrap=True, highlight=False)


@designs_app.command("add")
def designs_add(
    archive: Annotated[Path, typer.Argument(metavar="FILE.zip", help="A design folder, zipped.")],
) -> None:
    """Install a design from a zip into designs/, refusing unsafe archives (paths out, links, bombs)."""
    workspace = Workspace(Path.cwd())
    design = add_design(archive, workspace.root / "designs")
    err_console.print(f"added {design.name} ({design.title}) to {design.path}", soft_wrap=True, highlight=False)
    err_console.print(f"next: assets designs check {design.name}", highlight=False)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The folder to make a workspace of.")] = Path("."),
    statement: StatementOpt = None,
) -> None:
    """Make a workspace: the statement, the designs and the fonts with their map, ready to edit."""
    the_statement = find_statement(statement, Workspace(Path.cwd()))
    for path in init_workspace(folder, the_statement):
        err_console.print(f"made {path}", soft_wrap=True, highlight=False)
    err_console.print(f"next: cd {folder} && assets poster", soft_wrap=True, highlight=False)


@app.command()
def langs(statement: StatementOpt = None) -> None:
    """List a statement's languages: name, direction, script, key lines present, reviewed."""
    the_statement = find_statement(statement, Workspace(Path.cwd()))
    table = Table("code", "name", "dir", "script", "key lines", "reviewed",
                  title=f"{the_statement.id}: {len(the_statement.languages)} languages")
    for code, lines in sorted(the_statement.languages.items()):
        english, native = language_name(code)
        name = f"{english} ({native})" if english and native != english else english
        missing = [key for key in TEXT_LINES if key not in lines.present()]
        keys = f"{len(lines.present())}/{len(TEXT_LINES) + 1}" + (f" (no {', '.join(missing)})" if missing else "")
        table.add_row(code, name, lines.direction, lines.script, keys, "yes" if lines.reviewed else "no")
    out_console.print(table)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"assets {__version__}")
        raise typer.Exit()


_debug = bool(os.environ.get("ASSETS_DEBUG"))


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what the pipeline does.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="On an error, show the traceback too (or set ASSETS_DEBUG=1).")] = False,
) -> None:
    global _debug
    _debug = _debug or debug
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(name)s: %(message)s")
    if not verbose:
        # WeasyPrint warns about CSS it ignores; designers see it with --verbose.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)


def _error(message: str) -> None:
    err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: the one place an exception becomes what the user reads.

    Expected failures (bad input, a disk that is full or read-only) print one
    line each and exit 2; an interrupt exits 130; anything else is a bug,
    shown as one line asking for a report, exit 1. --debug adds the traceback.
    """
    # `kill`, service managers and CI timeouts send SIGTERM: stop as Ctrl-C
    # does, so temporary files are removed on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        app(args=argv, standalone_mode=True)
    except AssetsError as exc:
        if _debug:
            traceback.print_exc()
        for problem in exc.problems if isinstance(exc, InvalidInput) else [exc]:
            _error(str(problem))
        sys.exit(2)
    except SystemExit as exc:
        if exc.code == 130:  # Typer's answer to Ctrl-C
            _error("interrupted; the files written so far are complete, and running the command again finishes the job")
        raise
    except OSError as exc:
        # The machine, not the input: a full disk, a folder that vanished mid-build.
        if _debug:
            raise
        _error(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - a bug: one line, not a traceback
        if _debug:
            raise
        _error(f"internal error ({type(exc).__name__}: {exc}); run again with --debug for the traceback, "
               "and please report it")
        sys.exit(1)
