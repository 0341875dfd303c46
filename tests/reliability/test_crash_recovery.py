"""Never lose a paid job (issue 7): kill vidgen mid-job, resume, and count the submits.

Each test starts the emulator (``vidgen emulator serve``) on 127.0.0.1 in its own
process, with scripted faults, runs the real ``vidgen`` command in another, kills it with
SIGKILL at a chosen moment, then runs ``vidgen resume`` and checks the file, the ledger,
and, through the emulator's counters, that exactly one submit reached the server.

The emulator's videos are real renders, so a file is checked against what the emulator
serves for the job (fetched again once the counters have been checked). Moments are
found by waiting on the emulator's counters, never by sleeping a fixed time, and the
deadlines are generous: the machine running these may be busy.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

import vidgen
import vidgen.testing
from vidgen.emulator import ModelProfile
from vidgen.testing import FakeClock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL and SIGSTOP")

CLI = [sys.executable, "-c", "from vidgen.cli import main; main()"]
#: Generous: starting Python and vidgen on a loaded 2-core machine can take seconds.
DEADLINE = 60.0
#: Jobs finish 0.3 s after their submit; vidgen polls at its fastest (0.2 s).
QUICK = ("--queue", "0", "--render-base", "0.3", "--render-per-second", "0", "--poll-after", "0.1")
#: The request every test makes (`vidgen generate "a red kite" -s 4`), as the emulator sees it.
PROMPT, MODEL, SECONDS, SIZE = "a red kite", "emu-1", "4", "320x180"


class EmulatorProcess:
    """``vidgen emulator serve`` in its own process, found through its port file."""

    def __init__(self, folder: Path, *options: str) -> None:
        port_file = folder / "emulator.port"
        self.log = (folder / "emulator.log").open("w")
        self.process = subprocess.Popen(
            [
                *CLI,
                "emulator",
                "serve",
                "--port",
                "0",
                "--port-file",
                str(port_file),
                "--protocol",
                "openai",
                "--lifetime",
                "300",  # never outlives a test run, whatever happens to the test
                "--log-level",
                "warning",
                *QUICK,
                *options,  # later options win: a test may set its own timing
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + DEADLINE
        while not (port_file.exists() and port_file.read_text()):
            if self.process.poll() is not None:
                raise RuntimeError(f"the emulator exited: {(folder / 'emulator.log').read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{int(port_file.read_text())}"
        self.base_url = f"{self.url}/v1"
        self.http = httpx.Client(timeout=30)

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = self.http.get(f"{self.url}/_emulator/stats").json()
        return body

    def job_ids(self) -> list[str]:
        """Every job the emulator holds, oldest first."""
        return [job["id"] for job in self.http.get(f"{self.url}/_emulator/jobs").json()["jobs"]]

    def content(self, job_id: str) -> bytes:
        """What the emulator serves for a job (its render, made once and kept)."""
        answer = self.http.get(f"{self.base_url}/videos/{job_id}/content")
        answer.raise_for_status()
        return answer.content

    def wait_for(self, check: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE
        while True:
            stats = self.stats()
            if check(stats):
                return stats
            if time.monotonic() > deadline:
                raise AssertionError(f"the emulator never saw {what}; last stats {stats}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.http.close()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Callable[..., tuple[EmulatorProcess, dict[str, str]]]]:
    """An emulator process, a vidgen.toml pointing at it, and the environment for the CLI."""
    servers: list[EmulatorProcess] = []

    def make(*options: str) -> tuple[EmulatorProcess, dict[str, str]]:
        server = EmulatorProcess(tmp_path, *options)
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
id = "{MODEL}"
durations = [4, 8]
sizes = ["{SIZE}", "180x320"]
price_per_second = "0.05"
price_source = "the test emulator"
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
        [*CLI, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class Running:
    """A ``vidgen`` command in the background; its output goes to files, never to a pipe
    that could fill up and stall it."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, name: str) -> None:
        self._out: IO[str] = (cwd / f"{name}.out").open("w+")
        self._err: IO[str] = (cwd / f"{name}.err").open("w+")
        self.process = subprocess.Popen(
            [*CLI, *args], env=env, cwd=cwd, stdout=self._out, stderr=self._err, text=True
        )
        self._result: tuple[int, str, str] | None = None

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        """Wait for the command to end: its exit status, stdout and stderr."""
        if self._result is None:
            code = self.process.wait(timeout=timeout)
            self._out.seek(0)
            self._err.seek(0)
            self._result = (code, self._out.read(), self._err.read())
            self._out.close()
            self._err.close()
        return self._result

    def kill(self) -> None:
        """SIGKILL it unless it has ended (a frozen process dies too)."""
        if self.process.poll() is None:
            self.process.kill()
        self.finish(timeout=30)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def only_entry(tmp_path: Path) -> vidgen.LedgerEntry:
    ledger = vidgen.Ledger(tmp_path / "home" / "ledger.sqlite3")
    entries = ledger.entries()
    ledger.close()
    assert len(entries) == 1
    return entries[0]


GENERATE = ["generate", PROMPT, "-o", "out.mp4", "-s", SECONDS, "-a", "16:9"]


def test_killed_while_waiting_then_resume_finishes(world: Any, tmp_path: Path) -> None:
    # The job takes 3 s: long enough to be killed while polling, short enough to wait for.
    server, env = world("--render-base", "3")
    generate = Running(GENERATE, env, tmp_path, "generate")
    try:
        server.wait_for(lambda s: s["total_polls"] >= 2, "two polls")
    finally:
        generate.kill()  # SIGKILL

    assert not (tmp_path / "out.mp4").exists()
    (job_id,) = server.job_ids()
    entry = only_entry(tmp_path)
    assert entry.submit_state == "accepted"
    assert entry.job_id == job_id
    assert entry.output_target == str(tmp_path / "out.mp4")

    resumed = run(["resume"], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    data = (tmp_path / "out.mp4").read_bytes()
    assert server.stats()["total_submits"] == 1
    assert data == server.content(job_id)

    entry = only_entry(tmp_path)
    assert entry.status is vidgen.JobStatus.SUCCEEDED
    assert entry.output_size == len(data)
    assert entry.output_sha256 == sha256(data)
    assert run(["resume"], env, tmp_path).stderr.startswith("Nothing to resume")


def test_killed_while_downloading_then_resume_continues_with_range(
    world: Any, tmp_path: Path
) -> None:
    # The first download trickles (a 320x180 video of about 50 kB, at 10 kB/s).
    server, env = world("--fault", "slow_download:bytes_per_second=10000")
    generate = Running(GENERATE, env, tmp_path, "generate")
    try:
        server.wait_for(lambda s: s["bytes_sent"] >= 15000, "part of the download")
    finally:
        generate.kill()  # SIGKILL

    assert not (tmp_path / "out.mp4").exists()
    parts = list(tmp_path.glob(".out.mp4.*.part"))
    assert len(parts) == 1
    kept = parts[0].stat().st_size

    resumed = run(["resume"], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    data = (tmp_path / "out.mp4").read_bytes()
    stats = server.stats()
    assert stats["total_submits"] == 1
    assert stats["ranges"] == [f"bytes={kept}-"]  # only the missing bytes were fetched
    (job_id,) = server.job_ids()
    served = server.content(job_id)
    assert 0 < kept < len(served)
    assert data == served
    assert not list(tmp_path.glob("*.part"))
    assert only_entry(tmp_path).output_sha256 == sha256(served)


def test_unknown_submit_is_found_through_the_job_list(world: Any, tmp_path: Path) -> None:
    # The emulator takes the job but the answer stops halfway: an ambiguous submit.
    server, env = world("--fault", "drop_after_submit")
    generate = run(GENERATE, env, tmp_path)
    assert generate.returncode == 1
    assert "NOT resent" in generate.stderr
    assert "Traceback" not in generate.stderr
    entry = only_entry(tmp_path)
    assert entry.submit_state == "outcome_unknown"
    assert entry.job_id is None

    resumed = run(["resume"], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    stats = server.stats()
    assert stats["total_submits"] == 1  # found, not submitted again
    assert stats["faults_fired"] == {"drop_after_submit": 1}
    (job_id,) = server.job_ids()
    assert only_entry(tmp_path).job_id == job_id
    assert (tmp_path / "out.mp4").read_bytes() == server.content(job_id)


def test_resume_says_plainly_when_it_cannot_tell(world: Any, tmp_path: Path) -> None:
    server, env = world("--fault", "drop_after_submit")
    run(GENERATE, env, tmp_path)
    # Someone else's identical-looking job makes the list ambiguous.
    answer = httpx.post(
        f"{server.base_url}/videos",
        json={"model": MODEL, "prompt": PROMPT, "seconds": SECONDS, "size": SIZE},
        timeout=30,
    )
    assert answer.status_code == 200

    resumed = run(["resume"], env, tmp_path)
    assert resumed.returncode == 1
    assert "could be submit #1" in resumed.stderr
    assert "NOT submitted again" in resumed.stderr
    assert server.stats()["total_submits"] == 2  # the lost one and the other one; none from resume
    assert not (tmp_path / "out.mp4").exists()


def test_download_cut_in_the_middle_resumes_in_process(tmp_path: Path) -> None:
    # In this process: the emulator and the client share a fake clock, so nothing waits.
    clock = FakeClock()
    with vidgen.testing.emulator(
        clock=clock,
        protocols=["openai"],
        models={"emu-1": ModelProfile()},  # a real 24 fps video with sound, about 50 kB
        faults=["cut_download:after_bytes=20000"],
    ) as emulator:
        client = vidgen.Client(
            provider="openai-compatible",
            base_url=emulator.base_url("openai"),
            api_key="local-test-key",
            models=[{"id": "emu-1", "durations": [4], "sizes": [SIZE]}],
            ledger=tmp_path / "ledger.sqlite3",
            clock=clock,
            sleep=clock.sleep,
        )
        with client:
            path = client.generate(vidgen.VideoRequest(prompt="x"), tmp_path / "cut.mp4")
        stats = emulator.stats()
        (job_id,) = stats.content_requests
        served = httpx.get(f"{emulator.base_url('openai')}/videos/{job_id}/content").content
    assert stats.faults_fired == {"cut_download": 1}
    assert stats.content_requests == {job_id: 2}  # the cut one, and the rest
    assert len(stats.ranges) == 1
    assert stats.ranges[0].startswith("bytes=")
    assert int(stats.ranges[0][6:-1]) >= 20000
    assert path.read_bytes() == served


def test_resume_skips_a_job_another_process_is_downloading(world: Any, tmp_path: Path) -> None:
    # `vidgen generate` is downloading (slowly) when `vidgen resume` runs on the same
    # ledger: resume must leave the job alone, and only one download may reach the server.
    server, env = world("--fault", "slow_download:bytes_per_second=10000")
    generate = Running(GENERATE, env, tmp_path, "generate")
    try:
        server.wait_for(lambda s: s["bytes_sent"] > 0, "the download start")
        # Frozen mid-download (its claim and part-file lock held, its process alive),
        # so that resume runs during the download however slowly this machine starts it.
        generate.signal(signal.SIGSTOP)
        assert not (tmp_path / "out.mp4").exists()

        resumed = run(["resume"], env, tmp_path)
        assert resumed.returncode == 1, resumed.stderr  # one job still needs attention
        words = " ".join(resumed.stderr.split())
        assert "another vidgen process" in words
        assert "skipped" in words
        assert "Traceback" not in resumed.stderr

        generate.signal(signal.SIGCONT)
        code, out, err = generate.finish()
    finally:
        generate.kill()
    assert code == 0, err
    assert out.strip().endswith("out.mp4")
    data = (tmp_path / "out.mp4").read_bytes()
    stats = server.stats()
    (job_id,) = server.job_ids()
    assert stats["total_submits"] == 1
    assert stats["content_requests"] == {job_id: 1}  # resume never asked for the body
    assert stats["ranges"] == []
    assert stats["bytes_sent"] == len(data)
    assert data == server.content(job_id)
    entry = only_entry(tmp_path)
    assert entry.status is vidgen.JobStatus.SUCCEEDED
    assert entry.output_sha256 == sha256(data)
    assert not list(tmp_path.glob("*.part"))
    assert not list(tmp_path.glob("*.lock"))


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
