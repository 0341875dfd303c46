"""Killing a storyboard render mid-film, then ``vidgen resume``: no shot is paid twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vidgen.media import probe_video

pytest.importorskip("av")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

CLI = [sys.executable, "-c", "from vidgen.cli import main; main()"]
FILM = """
title = "crash test"
profile = "sb"
model = "sandbox-range"
aspect = "16:9"
[[shots]]
prompt = "a lighthouse at dusk"
duration = 2
[[shots]]
prompt = "the beam sweeps over the sea"
duration = 3
[[shots]]
prompt = "a ship turns towards the light"
duration = 2
"""


def ledger_rows(home: Path) -> list[tuple[str, str | None]]:
    path = home / "ledger.sqlite3"
    if not path.exists():
        return []
    try:
        with sqlite3.connect(path) as db:
            return list(db.execute("SELECT submit_state, status FROM jobs ORDER BY ledger_id"))
    except sqlite3.OperationalError:
        return []


def test_kill_during_shot_two_then_resume(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (tmp_path / "vidgen.toml").write_text('[profiles.sb]\nprovider = "sandbox"\nspeed = 3\n')
    (tmp_path / "film.toml").write_text(FILM)
    env = {**os.environ, "VIDGEN_HOME": str(home), "VIDGEN_CONFIG": str(tmp_path / "vidgen.toml")}
    render = subprocess.Popen(
        [*CLI, "storyboard", "film.toml", "-o", "film.mp4"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    # Shot 2 accepted by the server: kill the render while that shot renders. (A kill in
    # the middle of a submit is the subject of tests/reliability/.)
    while [state for state, _ in ledger_rows(home)][1:2] != ["accepted"]:
        assert render.poll() is None, render.communicate()
        assert time.monotonic() < deadline, "shot 2 was never submitted"
        time.sleep(0.05)
    render.send_signal(signal.SIGKILL)
    render.wait(30)
    assert not (tmp_path / "film.mp4").exists()
    resumed = subprocess.run(
        [*CLI, "resume"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "storyboard" in resumed.stderr
    rows = ledger_rows(home)
    assert len(rows) == 3, rows  # one submit per shot: none paid twice
    assert all(state == "accepted" for state, _ in rows)
    info = probe_video(tmp_path / "film.mp4")
    assert info.duration == pytest.approx(7.0, abs=0.15)
    # The emulator kept one job per submit it received: three.
    jobs = [p for p in (home / "sandbox").rglob("*.json") if "job" in p.parent.name]
    assert len(jobs) == 3, jobs
