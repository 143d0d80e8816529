"""The one error path: what reaches the user when something fails, expected or not."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time

import pytest

from assets_cli import cli
from conftest import REPO, run_cli


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(cli, "_debug", False)
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    return exited.value.code, capsys.readouterr().err


def test_a_bug_is_one_line_asking_for_a_report(monkeypatch, capsys, tmp_path):
    def broken(*_args, **_kwargs):
        raise KeyError("headline")

    monkeypatch.setattr(cli, "find_statement", broken)
    code, err = run_main(monkeypatch, capsys, "poster", "--out", str(tmp_path))
    assert code == 1
    assert err == ("error: internal error (KeyError: 'headline'); run again with --debug for the traceback, "
                   "and please report it\n")


def test_debug_shows_the_traceback(monkeypatch, capsys, tmp_path):
    def broken(*_args, **_kwargs):
        raise KeyError("headline")

    monkeypatch.setattr(cli, "find_statement", broken)
    with pytest.raises(KeyError):
        cli.main(["--debug", "poster", "--out", str(tmp_path)])
    monkeypatch.setattr(cli, "_debug", False)


def test_debug_adds_the_traceback_to_an_expected_error():
    result = run_cli("--debug", "poster", "--lang", "xx")
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: statement week-of-struggle-2020: unknown language 'xx'")
    plain = run_cli("poster", "--lang", "xx")
    assert "Traceback" not in plain.stderr and len(plain.stderr.splitlines()) == 1


def test_the_machine_failing_is_one_line_exit_2(monkeypatch, capsys, tmp_path):
    def vanished(*_args, **_kwargs):
        raise OSError(errno.EIO, "Input/output error", str(tmp_path / "fonts"))

    monkeypatch.setattr(cli, "load_font_map", vanished)
    code, err = run_main(monkeypatch, capsys, "poster", "--out", str(tmp_path))
    assert code == 2
    assert err == f"error: Input/output error: {tmp_path / 'fonts'}\n"


def _hear_ctrl_c() -> None:
    # A test run started in the background inherits SIGINT ignored (shells do
    # that to background jobs), and Python then keeps ignoring it: undo that.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_exits_130_with_one_line_and_no_traceback(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "assets_cli", "poster", "--out", str(tmp_path)], cwd=REPO,
                               env={**os.environ, "COLUMNS": "200"}, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=_hear_ctrl_c)
    deadline = time.monotonic() + 60
    # Wait until it is rendering (the first file lands), then interrupt as a terminal would.
    while not any(tmp_path.rglob("*.pdf")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == ("error: interrupted; the files written so far are complete, "
                                            "and running the command again finishes the job")


def test_sigterm_stops_like_ctrl_c(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "assets_cli", "poster", "--out", str(tmp_path)], cwd=REPO,
                               env={**os.environ, "COLUMNS": "200"}, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(tmp_path.rglob("*.pdf")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.terminate()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("error: interrupted")
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
