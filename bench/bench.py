"""Benchmark: whole builds (cold, no-op, one language edited), per-asset time by kind and size, peak memory.

Run: .venv/bin/python bench/bench.py [--repeat N] [--jobs N]
Writes bench/results.md (quoted in the README) and prints it. Run it on an
otherwise idle machine: it measures wall-clock time.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import threading
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets_cli.chapters import Chapter  # noqa: E402
from assets_cli.designs import all_designs, find_design  # noqa: E402
from assets_cli.fonts import load_font_map  # noqa: E402
from assets_cli.generate import make_each, plan  # noqa: E402
from assets_cli.launch import cores  # noqa: E402
from assets_cli.produce import Producer  # noqa: E402
from assets_cli.sizes import resolve_sizes  # noqa: E402
from assets_cli.statements import find_statement  # noqa: E402
from assets_cli.workspace import Workspace  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


KINDS = ("poster", "social", "banner", "leaflet")


def warm_assets(repeat: int) -> list[tuple[str, str, list[float]]]:
    """Time each size of each kind, language by language, in one warm process: one producer (renderer,
    template process) for all of them, as a worker of a batch has."""
    ws = Workspace(ROOT)
    statement, design = find_statement(None, ws), find_design(None, ws)
    fonts = load_font_map(ws.fonts_dir)
    rows = []
    with tempfile.TemporaryDirectory() as out, Producer(fonts) as producer:
        # The first documents of a process are much slower; don't count them.
        for job in plan("poster", statement, "en", design, resolve_sizes("poster", ["a4"]), Path(out)):
            producer.produce(job)
        for kind in KINDS:
            for size in resolve_sizes(kind, None):
                times = []
                for _ in range(repeat):
                    for lang in statement.languages:
                        times.append(_timed(producer, plan(kind, statement, lang, design, [size], Path(out))))
                rows.append((kind, size.name, times))
    return rows


SAMPLES = (("social", "ig-square"), ("poster", "a4"))  # each shipped design's card and poster


def design_assets(repeat: int) -> list[tuple[str, list[list[float]]]]:
    """Each shipped design's 1080×1080 card and A4 poster, every language, in one warm process per design."""
    ws = Workspace(ROOT)
    statement = find_statement(None, ws)
    fonts = load_font_map(ws.fonts_dir)
    rows = []
    for design in [find_design(name, ws) for name in all_designs(ws)]:
        with tempfile.TemporaryDirectory() as out, Producer(fonts) as producer:
            for job in plan("social", statement, "en", design, resolve_sizes("social", ["story"]), Path(out)):
                producer.produce(job)  # the process's first documents: not counted
            times = [[_timed(producer, plan(kind, statement, lang, design, resolve_sizes(kind, [size]), Path(out)))
                      for _ in range(repeat) for lang in statement.languages] for kind, size in SAMPLES]
        rows.append((design.name, times))
    return rows


def _timed(producer: Producer, jobs: list) -> float:
    start = time.perf_counter()
    for job in jobs:
        producer.produce(job)
    return time.perf_counter() - start


def print_cost(repeat: int) -> list[tuple[str, str, list[float], list[float]]]:
    """Per print size: an asset's home files alone, and with its print-shop PDF too (what a pack makes)."""
    ws = Workspace(ROOT)
    statement, design = find_statement(None, ws), find_design(None, ws)
    fonts = load_font_map(ws.fonts_dir)
    rows = []
    with tempfile.TemporaryDirectory() as out, Producer(fonts) as producer:
        for kind in ("poster", "banner", "leaflet"):
            for size in resolve_sizes(kind, None):
                if size.medium != "print":
                    continue
                home, both = [], []
                for _ in range(repeat):
                    for times, for_print in ((home, False), (both, True)):
                        jobs = plan(kind, statement, "en", design, [size], Path(out), for_print=for_print)
                        times.append(_timed(producer, jobs))
                rows.append((kind, size.name, home, both))
    return rows


SQUARE = "social, 1080×1080, chapters"
SQUARE_RUNS = 5  # the card batch is timed this many times; the median run is kept
# Four chapters a language for the card batch: each card carries its chapter's name and event (here the
# language's dates) under the call to action, as a chapter build's cards do.
CITIES = {
    "en": ("London", "Chicago", "Lagos", "Leeds"), "es": ("Madrid", "Bogotá", "Lima", "Quito"),
    "fr": ("Paris", "Dakar", "Montréal", "Lyon"), "ar": ("القاهرة", "بيروت", "عمّان", "تونس"),
    "hi": ("दिल्ली", "मुंबई", "पटना", "लखनऊ"), "ko": ("서울", "부산", "광주", "대구"),
    "id": ("Jakarta", "Bandung", "Surabaya", "Medan"), "pt": ("Lisboa", "Recife", "Luanda", "Porto"),
    "tl": ("Maynila", "Cebu", "Davao", "Iloilo"), "ur": ("لاہور", "کراچی", "اسلام آباد", "پشاور"),
}


def chapters(statement) -> list[Chapter]:
    """Four chapters in each of the statement's languages."""
    return [Chapter(id=f"{lang}-{number}", name=CITIES[lang][number] if lang in CITIES else f"Chapter {number + 1}",
                    lang=lang, event=statement.lines(lang).dates)
            for number in range(4) for lang in statement.languages]


def _batch(jobs: list, fonts, workers: int) -> tuple[float, float]:
    """The wall time of making `jobs` on a new pool of `workers`, and the median time per asset within it.

    An asset's time within the batch is the time since the asset `workers` before it came out, over
    `workers`: the pace of the batch as it makes that asset. The first `workers` assets have none; their
    wait is the pool starting, which the wall time holds.
    """
    start = time.perf_counter()
    done = [time.perf_counter() for _ in make_each(jobs, fonts, workers=workers, force=True)]
    paces = [(done[index] - done[index - workers]) / workers for index in range(workers, len(done))]
    return done[-1] - start, statistics.median(paces)


def batches(workers: int) -> tuple[list[tuple[str, int, float, float]], float]:
    """Each kind as one batch (every language × size, forced) on a pool of `workers`: its wall time, and
    the median time per asset within it. The 1080×1080 card batch first: the median of `SQUARE_RUNS` runs;
    with the wall time of the first, which also starts the pool's fork server (it serves every later pool)."""
    ws = Workspace(ROOT)
    statement, design = find_statement(None, ws), find_design(None, ws)
    fonts = load_font_map(ws.fonts_dir)
    rows = []
    with tempfile.TemporaryDirectory() as out:
        # Issue 9's card: 1080×1080, every language, four chapters each.
        square = resolve_sizes("social", ["ig-square"])
        cards = [job for chapter in chapters(statement)
                 for job in plan("social", statement, None, design, square, Path(out) / "sq", chapter=chapter)]
        runs = [_batch(cards, fonts, workers) for _ in range(SQUARE_RUNS)]
        first = runs[0][0]
        runs.sort()
        rows.append((SQUARE, len(cards), *runs[len(runs) // 2]))
        for kind in KINDS:
            jobs = [job for lang in statement.languages
                    for job in plan(kind, statement, lang, design, resolve_sizes(kind, None), Path(out))]
            rows.append((kind, len(jobs), *_batch(jobs, fonts, workers)))
    return rows, first


def _tree(root: int) -> list[int]:
    """`root` and its descendants, from each task's list of children: reading all of /proc instead took a
    seventh of a build's two cores at ten samples a second."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                todo += [int(child) for child in children.read_text().split()]
            except OSError:
                continue
    return found


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size: pages shared by the workers (forked from one server) are counted once."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
        total += int(match.group(1)) if match else 0
    return total / 1024


def measured(args: list[str], cwd: Path, *, sample: bool = True) -> tuple[float, float, str]:
    """Run the CLI: wall seconds, the peak memory of its whole process tree (MB, sampled; 0 unless
    `sample`), its stdout."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "assets_cli", *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env={**os.environ, "COLUMNS": "200"})
    peak = 0.0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.wait(0.25):
            peak = max(peak, _pss_mb(_tree(process.pid)))

    sampler = threading.Thread(target=watch, daemon=True)
    if sample:
        sampler.start()
    stdout, _ = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"assets {' '.join(args)} failed with exit code {process.returncode}")
    return seconds, peak, stdout


def made(stdout: str) -> str:
    """The build table's assets, made and kept counts."""
    row = next((line for line in stdout.splitlines() if re.match(r"^│\s*\d", line)), "")
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    return f"{cells[2]} files made, {cells[3]} kept" if len(cells) > 3 else "?"


def builds(workers: int, runs: int) -> list[tuple[str, float, float, str]]:
    """`assets build` of the default statement: cold, again with nothing changed, after editing es.toml.

    Timed unwatched `runs` times, the fastest of each kept (a shared machine only ever adds time); then
    the same three builds again in a new folder for their memory: reading each process's PSS four times
    a second slowed a cold build by a tenth.
    """
    timed = [_three_builds(workers, sample=False) for _ in range(runs)]
    watched = _three_builds(workers, sample=True)
    return [(name, min(series[row][1] for series in timed), peak, what)
            for row, (name, _, peak, what) in enumerate(watched)]


def _three_builds(workers: int, *, sample: bool) -> list[tuple[str, float, float, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        ws = Path(folder) / "ws"
        statement = ROOT / "statements" / "week-of-struggle-2020"
        shutil.copytree(statement, ws / "statements" / statement.name)
        args = ["build", "--out", str(Path(folder) / "out"), "--jobs", str(workers)]
        seconds, peak, stdout = measured(args, ws, sample=sample)
        rows.append(("cold `assets build`", seconds, peak, made(stdout)))
        seconds, peak, stdout = measured(args, ws, sample=sample)
        rows.append(("again, nothing changed", seconds, peak, made(stdout)))
        spanish = ws / "statements" / statement.name / "es.toml"
        spanish.write_text(spanish.read_text("utf-8").replace("headline = ", 'headline = "¡Fuera!" #', 1), "utf-8")
        seconds, peak, stdout = measured(args, ws, sample=sample)
        rows.append(("again, es.toml's headline edited", seconds, peak, made(stdout)))
    return rows


def cold_cli() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "assets"), "poster", "--lang", "es", "--out", out],
                       check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="renders of each size per language, one process")
    parser.add_argument("--jobs", type=int, default=cores(), help="workers for the builds and batches")
    parser.add_argument("--quick", action="store_true", help="only the builds and batches, not every size alone")
    parser.add_argument("--builds", type=int, default=3, help="times each build is timed (the fastest is kept)")
    args = parser.parse_args()

    built = builds(args.jobs, args.builds)
    batched, first_square = batches(args.jobs)
    rows = [] if args.quick else warm_assets(args.repeat)
    printed = [] if args.quick else print_cost(args.repeat)
    designed = [] if args.quick else design_assets(args.repeat)
    cold = cold_cli()
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    command = f".venv/bin/python bench/bench.py --repeat {args.repeat} --jobs {args.jobs} --builds {args.builds}" + (
        " --quick" if args.quick else "")
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Command: `{command}`.",
        "",
        f"`assets build` of the default statement and design ({args.jobs} workers): 10 languages × every kind and "
        f"size, print PDFs, packs and the download page. Times are the fastest of {args.builds} runs, unwatched; memory "
        "is the whole process tree's peak in the same builds run again (PSS, sampled "
        "every 0.25 s):",
        "",
        "| build | seconds | peak MB | what it did |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [f"| {name} | {seconds:.1f} | {peak:.0f} | {what} |" for name, seconds, peak, what in built]
    square, square_count = next((per_asset, count) for kind, count, _, per_asset in batched if kind == SQUARE)
    targets = [
        ("a 1080×1080 social card, median per asset in a batch", "≤ 40 ms", square * 1000, 40, "ms"),
        ("cold `assets build`", "≤ 30 s", built[0][1], 30, "s"),
        ("rebuild with nothing changed", "≤ 1 s", built[1][1], 1, "s"),
        ("peak memory of a build", "≤ 1 GB", max(peak for _, _, peak, _ in built), 1024, "MB"),
    ]
    lines += ["", "Issue 9's targets (for 2 cores):", "", "| target | goal | measured | met |", "| --- | --- | ---: | --- |"]
    lines += [f"| {name} | {goal} | {value:.{0 if unit != 's' else 1}f} {unit} | {'yes' if value <= limit else 'no'} |"
              for name, goal, value, limit, unit in targets]
    lines += [
        "",
        f"Each kind as one batch (every language × size, home files only) on {args.jobs} workers, and the "
        "1080×1080 card of four chapters in every language (each card with its chapter's name and event; the "
        f"median of {SQUARE_RUNS} runs). Median per asset (the target's measure): the median over the batch's "
        f"assets of the time since the asset {args.jobs} before it came out, over {args.jobs}. The batch's wall "
        "time ÷ assets also holds starting its workers (forked from a server that has imported WeasyPrint; each "
        "one's first asset loads fonts). That server is started by the first card run and serves the later "
        "batches, as `assets` starts it beside its own start; the first card run, starting it too, took "
        f"{first_square:.1f} s ({first_square / square_count * 1000:.0f} ms an asset):",
        "",
        "| kind | assets | batch s | median ms per asset | batch ÷ assets, ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {kind} | {count} | {seconds:.1f} | {per_asset * 1000:.0f} | {seconds / count * 1000:.0f} |"
              for kind, count, seconds, per_asset in batched]
    if rows:
        lines += [
            "",
            "Per asset alone (PDF + PNG, fit pass included; every shipped language), one warm process whose "
            "renderer and template process serve every asset, as a batch worker's do; by kind:",
            "",
            "| kind | runs | median ms | p90 ms |",
            "| --- | ---: | ---: | ---: |",
        ]
        for kind in KINDS:
            times = [t for k, _, ts in rows if k == kind for t in ts]
            lines.append(f"| {kind} | {len(times)} | {statistics.median(times) * 1000:.0f} "
                         f"| {percentile(times, 90) * 1000:.0f} |")
        lines += [
            "",
            "By size:",
            "",
            "| kind | size | runs | median ms | p90 ms |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for kind, size, times in rows:
            lines.append(f"| {kind} | {size} | {len(times)} | {statistics.median(times) * 1000:.0f} "
                         f"| {percentile(times, 90) * 1000:.0f} |")
    if designed:
        lines += [
            "",
            "Each shipped design, per asset alone as above (every language): how much its pictures and the markup "
            "of its fitted text cost:",
            "",
            "| design | 1080×1080 card median ms | p90 ms | A4 poster median ms | p90 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, (card, poster) in designed:
            lines.append(f"| {name} | {statistics.median(card) * 1000:.0f} | {percentile(card, 90) * 1000:.0f} "
                         f"| {statistics.median(poster) * 1000:.0f} | {percentile(poster, 90) * 1000:.0f} |")
    if printed:
        lines += [
            "",
            "Print-shop PDF (`--print`: PDF/X-4, mirrored bleed, crop marks; placard's page is laid out once, in",
            "its CMYK palette, and recoloured for home), English: the home files alone, and with the print PDF as",
            "packs make it (one run each: differences under about 50 ms are noise):",
            "",
            "| kind | size | home ms | home + print ms | print adds ms |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for kind, size, home, both in printed:
            home_ms, both_ms = statistics.median(home) * 1000, statistics.median(both) * 1000
            lines.append(f"| {kind} | {size} | {home_ms:.0f} | {both_ms:.0f} | {both_ms - home_ms:.0f} |")
    lines += [
        "",
        f"Cold `assets poster --lang es` (5 sizes, new process, nothing kept): {cold:.2f} s.",
        *([f"Peak memory of this benchmark's own process (the single assets): {peak_self:.0f} MB."] if rows else []),
        "",
    ]
    text = "\n".join(lines)
    (ROOT / "bench" / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
