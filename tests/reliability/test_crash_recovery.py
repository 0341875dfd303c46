"""Never lose a paid job (issue 7): kill vidgen mid-job, resume, and count the submits.

Each test starts ``fake_videos_server.py`` on 127.0.0.1 in its own process, runs the real
``vidgen`` command in another, kills it with SIGKILL at a chosen moment, then runs
``vidgen resume`` and checks the file, the ledger, and that exactly one submit reached the
server.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import vidgen
from vidgen.testing import FakeClock

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from fake_videos_server import video_bytes  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

CLI = [sys.executable, "-c", "from vidgen.cli import main; main()"]


class Server:
    def __init__(self, folder: Path, *options: str) -> None:
        port_file = folder / "port"
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "fake_videos_server.py"),
                "--port-file",
                str(port_file),
                "--lifetime",
                "90",
                *options,
            ],
        )
        deadline = time.monotonic() + 10
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline:
                raise RuntimeError("the fake server did not start")
            time.sleep(0.02)
        self.port = int(port_file.read_text())
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stats", timeout=5) as answer:
            return json.load(answer)  # type: ignore[no-any-return]

    def wait_for(self, check: Callable[[dict[str, Any]], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check(self.stats()):
                return
            time.sleep(0.02)
        raise AssertionError(f"server never reached the state; last stats {self.stats()}")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Callable[..., tuple[Server, dict[str, str]]]]:
    """A fake server, a vidgen.toml pointing at it, and the environment for the CLI."""
    servers: list[Server] = []

    def make(*options: str) -> tuple[Server, dict[str, str]]:
        server = Server(tmp_path, *options)
        servers.append(server)
        config = tmp_path / "vidgen.toml"
        config.write_text(
            f"""
default_profile = "local"
[profiles.local]
provider = "openai-compatible"
base_url = "{server.base_url}"
api_key_env = "LOCAL_KEY"
[[profiles.local.models]]
id = "fake-1"
durations = [4, 8]
sizes = ["1280x720", "720x1280"]
price_per_second = "0.05"
price_source = "the test server"
price_as_of = 2026-11-21
"""
        )
        env = {
            **os.environ,
            "LOCAL_KEY": "local-test-key",
            "VIDGEN_CONFIG": str(config),
            "VIDGEN_HOME": str(tmp_path / "home"),
        }
        return server, env

    yield make
    for server in servers:
        server.stop()


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def only_entry(tmp_path: Path) -> vidgen.LedgerEntry:
    ledger = vidgen.Ledger(tmp_path / "home" / "ledger.sqlite3")
    entries = ledger.entries()
    ledger.close()
    assert len(entries) == 1
    return entries[0]


def test_killed_while_waiting_then_resume_finishes(world: Any, tmp_path: Path) -> None:
    server, env = world("--polls-to-finish", "8", "--video-bytes", "300000")
    generate = start(
        ["generate", "a red kite", "-o", "out.mp4", "-s", "4", "-a", "16:9"], env, tmp_path
    )
    server.wait_for(lambda s: s["polls"] >= 2)
    generate.send_signal(signal.SIGKILL)
    generate.wait(timeout=10)

    assert not (tmp_path / "out.mp4").exists()
    entry = only_entry(tmp_path)
    assert entry.submit_state == "accepted"
    assert entry.job_id == "video_0001"
    assert entry.output_target == str(tmp_path / "out.mp4")

    resumed = run(["resume"], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    data = (tmp_path / "out.mp4").read_bytes()
    assert data == video_bytes("video_0001", 300000)
    assert server.stats()["submits"] == 1

    entry = only_entry(tmp_path)
    assert entry.status is vidgen.JobStatus.SUCCEEDED
    assert entry.output_size == len(data)
    assert entry.output_sha256 == sha256(data)
    assert run(["resume"], env, tmp_path).stderr.startswith("Nothing to resume")


def test_killed_while_downloading_then_resume_continues_with_range(
    world: Any, tmp_path: Path
) -> None:
    size = 4 * 1024 * 1024
    server, env = world(
        "--polls-to-finish",
        "2",
        "--video-bytes",
        str(size),
        "--chunk",
        "65536",
        "--chunk-delay",
        "0.02",
    )
    generate = start(["generate", "a red kite", "-o", "out.mp4", "-s", "4"], env, tmp_path)
    server.wait_for(lambda s: s["bytes_sent"] >= 512 * 1024)
    generate.send_signal(signal.SIGKILL)
    generate.wait(timeout=10)

    assert not (tmp_path / "out.mp4").exists()
    parts = list(tmp_path.glob(".out.mp4.*.part"))
    assert len(parts) == 1
    kept = parts[0].stat().st_size
    assert 0 < kept < size

    resumed = run(["resume"], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    data = (tmp_path / "out.mp4").read_bytes()
    assert data == video_bytes("video_0001", size)
    stats = server.stats()
    assert stats["submits"] == 1
    assert stats["ranges"] == [f"bytes={kept}-"]  # only the missing bytes were fetched
    assert not list(tmp_path.glob("*.part"))
    assert only_entry(tmp_path).output_sha256 == sha256(data)


def test_unknown_submit_is_found_through_the_job_list(world: Any, tmp_path: Path) -> None:
    # The server takes the job but the answer never arrives: an ambiguous submit.
    server, env = world("--drop-first-submit", "--polls-to-finish", "1")
    generate = run(["generate", "a red kite", "-o", "out.mp4", "-s", "4"], env, tmp_path)
    assert generate.returncode == 1
    assert "NOT resent" in generate.stderr
    assert "Traceback" not in generate.stderr
    entry = only_entry(tmp_path)
    assert entry.submit_state == "outcome_unknown"
    assert entry.job_id is None

    resumed = run(["resume"], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "out.mp4").read_bytes() == video_bytes("video_0001", 256 * 1024)
    assert server.stats()["submits"] == 1  # found, not submitted again
    assert only_entry(tmp_path).job_id == "video_0001"


def test_resume_says_plainly_when_it_cannot_tell(world: Any, tmp_path: Path) -> None:
    server, env = world("--drop-first-submit")
    run(["generate", "a red kite", "-o", "out.mp4", "-s", "4"], env, tmp_path)
    # Someone else's identical-looking job makes the list ambiguous.
    httpx.post(
        f"{server.base_url}/videos",
        json={"model": "fake-1", "prompt": "a red kite", "seconds": "4", "size": "1280x720"},
    )

    resumed = run(["resume"], env, tmp_path)
    assert resumed.returncode == 1
    assert "could be submit #1" in resumed.stderr
    assert "NOT submitted again" in resumed.stderr
    assert server.stats()["submits"] == 2  # the lost one and the other one; none from resume
    assert not (tmp_path / "out.mp4").exists()


def test_download_cut_in_the_middle_resumes_in_process(world: Any, tmp_path: Path) -> None:
    size = 1024 * 1024
    server, _env = world(
        "--polls-to-finish", "1", "--video-bytes", str(size), "--cut-first-download-after", "300000"
    )
    clock = FakeClock()
    client = vidgen.Client(
        provider="openai-compatible",
        base_url=server.base_url,
        models=[{"id": "fake-1", "durations": [4], "sizes": ["1280x720"]}],
        ledger=tmp_path / "ledger.sqlite3",
        sleep=clock.sleep,
    )
    with client:
        path = client.generate(vidgen.VideoRequest(prompt="x"), tmp_path / "cut.mp4")
    assert path.read_bytes() == video_bytes("video_0001", size)
    stats = server.stats()
    assert len(stats["ranges"]) == 1
    assert stats["ranges"][0].startswith("bytes=")
    assert int(stats["ranges"][0][6:-1]) >= 300000


def test_concurrent_processes_share_one_ledger(tmp_path: Path) -> None:
    ledger_path = tmp_path / "shared.sqlite3"
    script = f"""
import httpx, vidgen
count = 0
def answer(request):
    global count
    count += 1
    return httpx.Response(200, json={{"id": f"video_{{WORKER}}_{{count}}", "status": "queued"}})
client = vidgen.Client(
    provider="openai-compatible", base_url="https://relay.example/v1",
    models=[{{"id": "m", "durations": [4], "sizes": ["1280x720"], "price_per_second": "0.01",
             "price_source": "test", "price_as_of": "2026-11-21"}}],
    ledger={str(ledger_path)!r},
    http_client=httpx.Client(transport=httpx.MockTransport(answer)),
)
for _ in range(15):
    client.submit(vidgen.VideoRequest(prompt="p"))
"""
    workers = [
        subprocess.Popen([sys.executable, "-c", script.replace("{WORKER}", str(n))])
        for n in range(4)
    ]
    # And threads in this process, on their own connections to the same file.
    errors: list[BaseException] = []

    def thread_worker(n: int) -> None:
        try:
            ledger = vidgen.Ledger(ledger_path)
            client = vidgen.Client(
                provider="openai-compatible",
                base_url="https://relay.example/v1",
                models=[{"id": "m", "durations": [4], "sizes": ["1280x720"]}],
                ledger=ledger,
                http_client=httpx.Client(
                    transport=httpx.MockTransport(
                        lambda r: httpx.Response(200, json={"id": f"t{n}_{time.monotonic_ns()}"})
                    )
                ),
            )
            for _ in range(15):
                client.submit(vidgen.VideoRequest(prompt="p"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=thread_worker, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for worker in workers:
        assert worker.wait(timeout=60) == 0
    assert errors == []

    ledger = vidgen.Ledger(ledger_path)
    entries = ledger.entries()
    assert len(entries) == 4 * 15 + 3 * 15
    assert all(e.submit_state == "accepted" for e in entries)
    assert len({e.job_id for e in entries}) == len(entries)
    ledger.close()
