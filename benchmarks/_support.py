"""What the emulator benchmarks share: the emulator in its own process, and the raw loop.

The raw loop is what a careful programmer writes by hand with httpx for one job: submit,
poll until done (honouring ``openai-poll-after-ms``), then a durable download (a part file
beside the target, SHA-256 while writing, fsync, rename, fsync of the folder). vidgen's
numbers are compared against it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

#: vidgen never polls faster than this (`PollPolicy.min_delay`); the raw loop does the same.
MIN_POLL = 0.2


@contextlib.contextmanager
def emulator_process(*options: str, python: str = sys.executable) -> Iterator[str]:
    """``python -m vidgen.emulator`` on a free port, in its own process: its origin URL.

    In its own process so that its work (and its CPU time) is not the benchmark's.
    """
    with tempfile.TemporaryDirectory(prefix="vidgen-bench-emulator-") as folder:
        port_file = Path(folder) / "port"
        process = subprocess.Popen(
            [
                python,
                "-m",
                "vidgen.emulator",
                "--port",
                "0",
                "--port-file",
                str(port_file),
                "--protocol",
                "openai",
                "--log-level",
                "warning",
                "--lifetime",
                "3600",
                *options,
            ],
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not (port_file.exists() and port_file.read_text()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the emulator did not start")
                time.sleep(0.02)
            yield f"http://127.0.0.1:{int(port_file.read_text())}"
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def create_job(http: httpx.Client, base_url: str, model: str, prompt: str = "bench") -> str:
    """Submit one job and wait (plainly) until it completes; its id."""
    video = http.post(
        f"{base_url}/videos",
        json={"model": model, "prompt": prompt, "seconds": "4", "size": "1280x720"},
    ).json()
    while video["status"] != "completed":
        time.sleep(0.05)
        video = http.get(f"{base_url}/videos/{video['id']}").json()
    return str(video["id"])


def durable_download(http: httpx.Client, url: str, target: Path) -> tuple[int, str]:
    """Stream ``url`` to ``target`` as vidgen's guarantee asks: the size and SHA-256."""
    part = target.with_name(f".{target.name}.part")
    digest = hashlib.sha256()
    size = 0
    with http.stream("GET", url, headers={"Accept-Encoding": "identity"}) as response:
        response.raise_for_status()
        with part.open("wb") as out:
            for chunk in response.iter_raw():
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    os.replace(part, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return size, digest.hexdigest()


def raw_job(http: httpx.Client, base_url: str, model: str, target: Path) -> tuple[int, str]:
    """One job by hand: submit, poll until completed, durable download."""
    answer = http.post(
        f"{base_url}/videos",
        json={"model": model, "prompt": "bench", "seconds": "4", "size": "1280x720"},
    )
    answer.raise_for_status()
    video: dict[str, Any] = answer.json()
    while True:  # poll at once, as vidgen does, then as the server suggests
        answer = http.get(f"{base_url}/videos/{video['id']}")
        answer.raise_for_status()
        video = answer.json()
        if video["status"] == "completed":
            break
        if video["status"] == "failed":
            raise RuntimeError(f"job failed: {video}")
        hint = int(answer.headers.get("openai-poll-after-ms", "1000")) / 1000
        time.sleep(max(MIN_POLL, hint))
    return durable_download(http, f"{base_url}/videos/{video['id']}/content", target)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"
