"""Benchmark: per-asset render time by kind and size, a cold CLI run, peak memory.

Run: .venv/bin/python bench/bench.py [--repeat N]   (about 5 minutes at --repeat 1)
Writes bench/results.md (quoted in the README) and prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets_cli.designs import find_design  # noqa: E402
from assets_cli.fonts import load_font_map  # noqa: E402
from assets_cli.generate import make, plan  # noqa: E402
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
    """Time each size of each kind, language by language, in one warm process."""
    ws = Workspace(ROOT)
    statement, design = find_statement(None, ws), find_design(None, ws)
    fonts = load_font_map(ws.fonts_dir)
    rows = []
    with tempfile.TemporaryDirectory() as out:
        # The first documents of a process are much slower; don't count them.
        list(make(plan("poster", statement, "en", design, resolve_sizes("poster", ["a4"]), Path(out)), fonts))
        for kind in KINDS:
            for size in resolve_sizes(kind, None):
                times = []
                for _ in range(repeat):
                    for lang in statement.languages:
                        jobs = plan(kind, statement, lang, design, [size], Path(out))
                        start = time.perf_counter()
                        list(make(jobs, fonts))
                        times.append(time.perf_counter() - start)
                rows.append((kind, size.name, times))
    return rows


def print_cost(repeat: int) -> list[tuple[str, str, list[float], list[float]]]:
    """Per print size: an asset's home files alone, and with its print-shop PDF too (what a pack makes)."""
    ws = Workspace(ROOT)
    statement, design = find_statement(None, ws), find_design(None, ws)
    fonts = load_font_map(ws.fonts_dir)
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for kind in ("poster", "banner", "leaflet"):
            for size in resolve_sizes(kind, None):
                if size.medium != "print":
                    continue
                home, both = [], []
                for _ in range(repeat):
                    for times, for_print in ((home, False), (both, True)):
                        jobs = plan(kind, statement, "en", design, [size], Path(out), for_print=for_print)
                        start = time.perf_counter()
                        list(make(jobs, fonts))
                        times.append(time.perf_counter() - start)
                rows.append((kind, size.name, home, both))
    return rows


def cold_cli() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "assets"), "poster", "--lang", "es", "--out", out],
                       check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="renders of each size per language")
    args = parser.parse_args()

    rows = warm_assets(args.repeat)
    printed = print_cost(args.repeat)
    cold = cold_cli()
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Command: `.venv/bin/python bench/bench.py --repeat {args.repeat}`.",
        "",
        "Per asset (PDF + PNG, fit pass included; every shipped language), warm process, by kind:",
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
    lines += [
        "",
        "Print-shop PDF (`--print`: PDF/X-4, mirrored bleed, crop marks; placard's CMYK palette means one",
        "more layout), English: the home files alone, and with the print PDF as packs make it:",
        "",
        "| kind | size | home ms | home + print ms | print adds ms |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for kind, size, home, both in printed:
        home_ms, both_ms = statistics.median(home) * 1000, statistics.median(both) * 1000
        lines.append(f"| {kind} | {size} | {home_ms:.0f} | {both_ms:.0f} | {both_ms - home_ms:.0f} |")
    lines += [
        "",
        f"Cold `assets poster --lang es` (5 sizes, new process): {cold:.2f} s.",
        f"Peak memory: {peak_self:.0f} MB in the warm process, {peak_child:.0f} MB in the CLI run.",
        "",
    ]
    text = "\n".join(lines)
    (ROOT / "bench" / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
