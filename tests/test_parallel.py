"""Several cores and several machines: a pool of workers, and `build --shard K/N`."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assets_cli.designs import find_design
from assets_cli.errors import AssetsError
from assets_cli.generate import parse_shard, shard
from assets_cli.pack import plan_packs
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import DEFAULT_STATEMENT, REPO, make_workspace, run_cli


def test_a_pool_writes_the_same_bytes_as_one_process(tmp_path):
    args = ("social", "--lang", "ar", "--size", "x-post", "--size", "og", "--size", "ig-square", "--json")
    one = run_cli(*args, "--jobs", "1", "--out", str(tmp_path / "one"))
    pool = run_cli(*args, "--jobs", "3", "--out", str(tmp_path / "pool"))
    assert one.returncode == 0 and pool.returncode == 0, one.stderr + pool.stderr
    serial, parallel = json.loads(one.stdout), json.loads(pool.stdout)
    # The same files, in the same (plan) order, byte for byte.
    assert [(Path(w["path"]).name, w["sha256"]) for w in serial] == [
        (Path(w["path"]).name, w["sha256"]) for w in parallel]
    assert len(serial) == 6


def test_an_error_in_a_worker_is_one_line_and_stops_the_build(tmp_path):
    design = tmp_path / "broken"
    shutil.copytree(REPO / "designs" / "placard", design)
    card = design / "card.html"
    card.write_text(card.read_text("utf-8").replace("<body ", "{{ lines.no_such_line }}<body ", 1), "utf-8")
    out = tmp_path / "out"
    result = run_cli("social", "--design", str(design), "--size", "x-post", "--size", "og", "--size", "story",
                     "--jobs", "2", "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {design / 'card.html'}:") and "no_such_line" in lines[0], lines
    assert not [p for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts and p.name.endswith(".tmp")]


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0", "-1/2", ""])
def test_a_bad_shard_is_refused_before_anything_is_made(tmp_path, text):
    result = run_cli("build", "--shard", text, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == f"error: --shard {text!r} is not K/N with K from 1 to N (e.g. --shard 2/4: the second of 4 parts)\n"
    assert not (tmp_path / "out").exists()


def test_bad_jobs_are_refused(tmp_path):
    result = run_cli("poster", "--jobs", "0", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and result.stderr.startswith("error: --jobs 0 is out of range (choose 1 or more;")
    assert not (tmp_path / "out").exists()


def test_shards_split_the_asset_list_the_same_way_on_every_machine(tmp_path):
    workspace = Workspace(REPO)
    statement = find_statement(None, workspace)
    jobs = [job for pack in plan_packs(statement, find_design(None, workspace), tmp_path, all_langs=True)
            for job in pack.jobs]
    assert parse_shard("2/3") == (2, 3)
    with pytest.raises(AssetsError):
        parse_shard("4/3")
    parts = [shard(jobs, k, 3) for k in (1, 2, 3)]
    shuffled = random.Random(7).sample(jobs, len(jobs))
    assert [shard(shuffled, k, 3) for k in (1, 2, 3)] == parts  # the order asked in does not matter
    names = [job.identity for part in parts for job in part]
    assert sorted(names) == sorted(job.identity for job in jobs) and len(set(names)) == len(jobs)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    # Every part gets some of each kind: no machine is left with all the slow ones.
    assert all({job.kind for job in part} == {"poster", "social", "banner", "leaflet"} for part in parts)


def test_shards_built_apart_then_merged_need_no_more_rendering(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    shutil.copy(DEFAULT_STATEMENT / "ko.toml", ws / "statements" / "week-of-struggle-2020")
    for k in (1, 2):
        result = run_cli("build", "--kind", "social", "--shard", f"{k}/2", "--out", str(tmp_path / f"shard{k}"),
                         cwd=ws)
        assert result.returncode == 0, result.stderr
        assert f"shard {k}/2: 7 of 14 assets (7 made, 0 kept)" in result.stdout, result.stdout
        assert not (tmp_path / f"shard{k}" / "packs").exists()
    merged = tmp_path / "merged"
    for k in (1, 2):  # as a CI job downloads each runner's artifact into one folder
        shutil.copytree(tmp_path / f"shard{k}", merged, dirs_exist_ok=True, copy_function=shutil.copyfile)
    result = run_cli("build", "--kind", "social", "--out", str(merged), cwd=ws)
    assert result.returncode == 0, result.stderr
    assert "│ 14     │ 28    │ 0    │ 28   │ 2     │ 3     │" in result.stdout, result.stdout
    packs = sorted(p.name for p in (merged / "packs").glob("*.zip"))
    assert packs == ["week-of-struggle-2020-en.zip", "week-of-struggle-2020-ko.zip"]
    # The packs equal those of one machine's build, byte for byte.
    whole = run_cli("build", "--kind", "social", "--out", str(tmp_path / "whole"), cwd=ws)
    assert whole.returncode == 0, whole.stderr
    for name in packs:
        assert (merged / "packs" / name).read_bytes() == (tmp_path / "whole" / "packs" / name).read_bytes()


@pytest.mark.parametrize("args, on_two_cores, on_one", [
    (["poster", "--lang", "es"], True, False),
    (["--verbose", "build", "--out", "out"], True, False),
    (["pack", "--all"], True, False),
    (["poster", "-j", "1"], False, False),
    (["social", "--jobs=1"], False, False),
    (["banner", "-j1"], False, False),
    (["leaflet", "--jobs", "3"], True, True),
    (["leaflet", "-j3", "-o", "kept"], False, False),  # its output folder keeps files already
    (["build", "--out=kept", "--force"], True, False),  # but --force makes them all again
    (["poster", "--help"], False, False),
    (["--version"], False, False),
    (["sizes", "poster"], False, False),
    (["check"], False, False),
    (["preview", "--out", "poster"], False, False),
    ([], False, False),
])
def test_the_fork_server_starts_first_when_a_command_makes_everything_on_several_cores(args, on_two_cores, on_one,
                                                                                      tmp_path, monkeypatch):
    from assets_cli import cache, launch

    (tmp_path / "kept" / cache.CACHE_DIR).mkdir(parents=True)
    assert launch.KEPT == cache.CACHE_DIR
    monkeypatch.setattr(launch, "cores", lambda: 2)
    assert launch.renders_everything(args, tmp_path) is on_two_cores
    monkeypatch.setattr(launch, "cores", lambda: 1)
    assert launch.renders_everything(args, tmp_path) is on_one


def test_a_fork_server_started_early_is_gone_when_the_command_ends(tmp_path):
    """A command that starts the fork server and then has nothing to render (every file kept) does not leave
    it importing WeasyPrint behind it, holding the terminal or a pipe open."""
    script = ("from assets_cli import launch; launch.start_fork_server(); "
              "from multiprocessing import forkserver; print(forkserver._forkserver._forkserver_pid)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
