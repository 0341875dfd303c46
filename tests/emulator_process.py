"""``vidgen emulator serve`` in a process of its own, for tests that kill vidgen processes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-c", "from vidgen.cli import main; main()"]
#: Generous: starting Python and vidgen on a loaded 2-core machine can take seconds.
DEADLINE = 60.0
#: Jobs finish 0.3 s after their submit; vidgen polls at its fastest (0.2 s).
QUICK = ("--queue", "0", "--render-base", "0.3", "--render-per-second", "0", "--poll-after", "0.1")


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
