"""Jobs outlive the emulator: a state folder, a second emulator, a second process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from emulator_support import LATER, SMALL, TIMING, create_video

from vidgen.emulator import Emulator
from vidgen.testing import FakeClock


def test_a_job_submitted_in_one_emulator_finishes_in_the_next(tmp_path: Path) -> None:
    clock = FakeClock()
    with (
        Emulator(clock=clock, timing=TIMING, state_dir=tmp_path) as first,
        httpx.Client(base_url=first.url) as client,
    ):
        video = create_video(client, prompt="survives a restart")
        clock.advance(3)
        assert client.get(f"/v1/videos/{video['id']}").json()["status"] == "in_progress"
    record = json.loads((tmp_path / "jobs" / f"{video['id']}.json").read_text())
    assert (record["prompt"], record["protocol"]) == ("survives a restart", "openai")
    assert not list((tmp_path / "jobs").glob(".*"))  # no temporary files left behind

    clock.advance(LATER)
    with (
        Emulator(clock=clock, timing=TIMING, state_dir=tmp_path) as second,
        httpx.Client(base_url=second.url) as client,
    ):
        again = client.get(f"/v1/videos/{video['id']}").json()
        assert (again["status"], again["created_at"]) == ("completed", video["created_at"])
        content = client.get(f"/v1/videos/{video['id']}/content")
        assert content.status_code == 200
        listed = client.get("/v1/videos").json()["data"]
        assert [v["id"] for v in listed] == [video["id"]]
        # A new job is numbered after the old ones.
        newer = create_video(client, prompt="after the restart")
        assert [v["id"] for v in client.get("/v1/videos").json()["data"]] == [
            newer["id"],
            video["id"],
        ]
    renders = list((tmp_path / "renders").glob(f"{video['id']}-video-*.mp4"))
    assert len(renders) == 1

    with (
        Emulator(clock=clock, timing=TIMING, state_dir=tmp_path) as third,
        httpx.Client(base_url=third.url) as client,
    ):
        # The render is reused, not made again.
        before = renders[0].stat().st_mtime_ns
        assert client.get(f"/v1/videos/{video['id']}/content").content == content.content
        assert renders[0].stat().st_mtime_ns == before
        client.delete(f"/v1/videos/{video['id']}")
    assert not (tmp_path / "jobs" / f"{video['id']}.json").exists()
    assert not list((tmp_path / "renders").glob(f"{video['id']}-*"))


def test_two_emulators_share_one_folder_at_once(tmp_path: Path) -> None:
    with Emulator(state_dir=tmp_path) as one, Emulator(state_dir=tmp_path) as two:
        made = httpx.post(
            one.base_url("azure") + "/video/generations/jobs",
            json={**SMALL, "width": 480, "height": 480, "model": "sora"},
        )
        job_id = made.json()["id"]
        seen = httpx.get(two.base_url("azure") + f"/video/generations/jobs/{job_id}")
        assert seen.status_code == 200
        assert seen.json()["id"] == job_id


def test_damaged_files_in_the_folder_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "video_broken.json").write_text("{not json")
    (tmp_path / "jobs" / "video_other.json").write_text('{"id": "x"}')
    with Emulator(state_dir=tmp_path) as emulator:
        assert httpx.get(emulator.base_url("openai") + "/videos/video_broken").status_code == 404
        assert httpx.get(emulator.base_url("openai") + "/videos").json()["data"] == []
        assert httpx.get(emulator.base_url("openai") + "/videos/..%2F..%2Fetc").status_code == 404


def _start(tmp_path: Path, state: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    port_file = tmp_path / f"port-{time.monotonic_ns()}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vidgen.emulator",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--state-dir",
            str(state),
            "--lifetime",
            "60",
            "--log-level",
            "warning",
            *options,
        ],
    )
    deadline = time.monotonic() + 20
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the emulator process did not start")
        time.sleep(0.02)
    return process, f"http://127.0.0.1:{port_file.read_text()}"


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
def test_a_killed_emulator_process_is_replaced_by_a_new_one(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first, url = _start(
        tmp_path, state, "--protocol", "openai", "--speed", "20", "--fault", "rate_limit:on=status"
    )
    try:
        video = httpx.post(f"{url}/v1/videos", json=SMALL).json()
        assert httpx.get(f"{url}/v1/videos/{video['id']}").status_code == 429  # the --fault
        stats = httpx.get(f"{url}/_emulator/stats").json()
        assert (stats["total_submits"], stats["faults_fired"]) == (1, {"rate_limit": 1})
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

    second, url = _start(tmp_path, state, "--protocol", "openai", "--speed", "20")
    try:
        deadline = time.monotonic() + 20
        while (
            status := httpx.get(f"{url}/v1/videos/{video['id']}").json()["status"]
        ) != "completed":
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
        content = httpx.get(f"{url}/v1/videos/{video['id']}/content", timeout=30)
        assert (content.status_code, content.headers["content-type"]) == (200, "video/mp4")
        # The new process counts from zero: nothing was submitted again.
        assert httpx.get(f"{url}/_emulator/stats").json()["total_submits"] == 0
    finally:
        second.terminate()
        second.wait(timeout=10)


def test_command_line_refuses_bad_faults(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vidgen.emulator", "--fault", "explode"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "unknown fault kind" in result.stderr
