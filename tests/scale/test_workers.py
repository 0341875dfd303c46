"""Several ``vidgen worker`` processes on one ledger, one of them killed: every line once.

The batch is put in the ledger (``vidgen batch --enqueue``); three workers take its lines
with short leases; the first is killed with SIGKILL while it has lines in hand (some
submitted, some rendering, perhaps one mid-submit). The others take its lines up once
its lease runs out. The emulator counts what reached it: one submit per line, never two.

Run on SQLite (a file the processes share) and, where ``VIDGEN_TEST_POSTGRES_URL`` names
a server, on PostgreSQL (CI starts one; ``VIDGEN_REQUIRE_POSTGRES=1`` turns a missing
server into a failure rather than a skip).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_process import CLI, EmulatorProcess

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

LINES = 24
MODEL = "tiny"
#: Each job renders for a second, so the killed worker surely has lines in flight.
TIMING = ("--render-base", "1.0", "--poll-after", "0.3", "--model", f"{MODEL}:synthetic_bytes=2000")


def _ledger_urls() -> list[str]:
    urls = ["sqlite"]
    if os.environ.get("VIDGEN_TEST_POSTGRES_URL") or os.environ.get("VIDGEN_REQUIRE_POSTGRES"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_ledger_urls())
def ledger_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment that points every process at one ledger."""
    if request.param == "sqlite":
        yield {"VIDGEN_HOME": str(tmp_path / "home")}
        return
    from postgres_support import fresh_schema

    with fresh_schema() as url:
        yield {"VIDGEN_HOME": str(tmp_path / "home"), "VIDGEN_LEDGER_URL": url}


def item_states(env: dict[str, str], tmp_path: Path) -> dict[str, int]:
    """How many lines are in each state, read through the CLI-independent ledger API."""
    code = (
        "import json, vidgen\n"
        "from vidgen._ledger import Ledger\n"
        "items = Ledger().items('batch:jobs')\n"
        "counts = {}\n"
        "for item in items: counts[item.state] = counts.get(item.state, 0) + 1\n"
        "print(json.dumps(counts))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "moment",
    [
        "rendering",  # killed while its lines render: they are waited on, not resent
        "mid-submit",  # killed while its first submit waits for an answer: found, not resent
    ],
)
def test_a_killed_worker_loses_no_line_and_pays_for_none_twice(
    tmp_path: Path, ledger_env: dict[str, str], moment: str
) -> None:
    # Mid-submit: the emulator holds the first submit's answer for a second (the job is
    # made when the answer is sent), so the worker surely dies with that submit open.
    faults = ("--fault", "delay:on=submit,seconds=1,times=1") if moment == "mid-submit" else ()
    server = EmulatorProcess(tmp_path, *TIMING, *faults)
    try:
        (tmp_path / "vidgen.toml").write_text(
            f"""
[profiles.emu]
provider = "openai-compatible"
base_url = "{server.base_url}"
api_key_env = "EMU_KEY"
[[profiles.emu.models]]
id = "{MODEL}"
durations = [4]
sizes = ["1280x720"]
price_per_second = "0.10"
price_source = "https://example.com/pricing"
price_as_of = 2026-11-01
"""
        )
        prompts = [f"line {n}: a paper boat in the rain" for n in range(LINES)]
        (tmp_path / "jobs.jsonl").write_text(
            "".join(
                json.dumps({"custom_id": f"c{n}", "prompt": p, "model": MODEL, "duration": 4})
                + "\n"
                for n, p in enumerate(prompts)
            )
        )
        env = {
            **os.environ,
            **ledger_env,
            "EMU_KEY": "sk-emulator",
            "VIDGEN_CONFIG": str(tmp_path / "vidgen.toml"),
        }
        enqueued = subprocess.run(
            [*CLI, "batch", "jobs.jsonl", "-p", "emu", "--enqueue", "--quiet"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert enqueued.returncode == 0, enqueued.stderr
        assert server.stats()["total_submits"] == 0  # enqueued, nothing sent yet

        worker = [*CLI, "worker", "--lease", "2", "--concurrency", "4"]
        doomed = subprocess.Popen(worker, cwd=tmp_path, env=env, stderr=subprocess.PIPE)
        if moment == "rendering":
            # Kill it once it has sent some submits and holds lines still rendering.
            server.wait_for(lambda s: s["total_submits"] >= 3, "the first worker's submits")
        else:
            server.wait_for(lambda s: sum(s["submit_attempts"].values()) >= 1, "the first submit")
        others = [
            subprocess.Popen(worker, cwd=tmp_path, env=env, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        if moment == "rendering":
            time.sleep(0.3)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(30)
        for process in others:
            _, err = process.communicate(timeout=240)
            assert process.returncode == 0, err.decode()
    finally:
        stats = server.stats()
        server.stop()

    assert item_states(env, tmp_path) == {"done": LINES}
    # Exactly one submit per line reached the provider: none lost, none paid twice.
    assert stats["total_submits"] == LINES, stats["submits_by_prompt"]
    assert sorted(stats["submits_by_prompt"].values()) == [1] * LINES
    videos = sorted((tmp_path / "jobs").glob("*.mp4"))
    assert [v.name for v in videos] == sorted(f"c{n}.mp4" for n in range(LINES))
    assert all(v.stat().st_size == 2000 for v in videos)
    if "VIDGEN_LEDGER_URL" not in ledger_env:
        with sqlite3.connect(tmp_path / "home" / "ledger.sqlite3") as db:
            rows = list(db.execute("SELECT submit_state, problem FROM jobs"))
        # One accepted job per line. Any other row is a submit the killed worker recorded
        # but never sent: found absent from the provider's list, marked, and sent once by
        # another worker (the emulator's counts above prove it never arrived twice).
        assert sum(1 for state, _ in rows if state == "accepted") == LINES
        assert all(problem == "not_submitted" for state, problem in rows if state != "accepted")
