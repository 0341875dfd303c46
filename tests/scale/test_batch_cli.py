"""``vidgen batch``: a results file, one-line errors, and a killed run carried on without
paying for any line twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from emulator_process import CLI, EmulatorProcess

from vidgen import emulator as emulator_module
from vidgen.cli import cli
from vidgen.testing import emulator

MODEL = "tiny"
FAST = emulator_module.Timing(queue=0, render_base=2, render_per_second=0, poll_after=0.5)


def config(base_url: str) -> str:
    return f"""
[profiles.emu]
provider = "openai-compatible"
base_url = "{base_url}"
api_key_env = "EMU_KEY"
[[profiles.emu.models]]
id = "{MODEL}"
durations = [4]
sizes = ["1280x720"]
price_per_second = "0.10"
price_source = "https://example.com/pricing"
price_as_of = 2026-11-01
"""


def lines(count: int) -> str:
    return "".join(
        json.dumps({"custom_id": f"c{n}", "prompt": f"take {n}", "model": MODEL, "duration": 4})
        + "\n"
        for n in range(count)
    )


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[emulator_module.Emulator]:
    table = {MODEL: emulator_module.ModelProfile(synthetic_bytes=1000)}
    with emulator(speed=50, timing=FAST, models=table) as running:
        (tmp_path / "vidgen.toml").write_text(config(running.base_url("openai")))
        yield running


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"EMU_KEY": "sk-emu", "COLUMNS": "200"})


def test_a_batch_writes_its_results_and_a_rerun_sends_nothing(
    emu: emulator_module.Emulator, tmp_path: Path
) -> None:
    (tmp_path / "jobs.jsonl").write_text(lines(4))
    first = run("batch", "jobs.jsonl", "-p", "emu", "--quiet")
    assert first.exit_code == 0, first.output
    results = [json.loads(x) for x in (tmp_path / "jobs.results.jsonl").read_text().splitlines()]
    assert [(r["custom_id"], r["status"]) for r in results] == [(f"c{n}", "done") for n in range(4)]
    assert all(Path(r["output"]).read_bytes() for r in results)
    assert results[0]["quote"]["amount"] == "0.40"
    assert set(results[0]) == {
        "custom_id",
        "status",
        "job_id",
        "provider",
        "model",
        "output",
        "quote",
        "billed",
        "error",
    }
    again = run("batch", "jobs.jsonl", "-p", "emu", "--quiet", "--json")
    assert again.exit_code == 0, again.output
    assert [r["status"] for r in json.loads(again.stdout)] == ["done"] * 4
    assert emu.stats().total_submits == 4


def test_over_budget_nothing_is_sent(emu: emulator_module.Emulator, tmp_path: Path) -> None:
    (tmp_path / "jobs.jsonl").write_text(lines(4))
    result = run("batch", "jobs.jsonl", "-p", "emu", "--budget", "1.00")
    assert result.exit_code == 2
    assert "over its budget of 1.00" in result.stderr
    assert "Traceback" not in result.output
    assert emu.stats().total_submits == 0
    assert not (tmp_path / "jobs.results.jsonl").exists()


def test_a_bad_line_is_one_line_before_anything_is_sent(
    emu: emulator_module.Emulator, tmp_path: Path
) -> None:
    (tmp_path / "jobs.jsonl").write_text(lines(2) + '{"custom_id": "c9", "prompt": }\n')
    result = run("batch", "jobs.jsonl", "-p", "emu")
    assert result.exit_code == 2
    lines_out = result.stderr.strip().splitlines()
    assert len(lines_out) == 1
    assert "jobs.jsonl line 3 is not JSON" in lines_out[0]
    assert emu.stats().total_submits == 0


def test_a_line_that_fails_makes_the_exit_status_1(tmp_path: Path) -> None:
    table = {MODEL: emulator_module.ModelProfile(synthetic_bytes=1000)}
    with emulator(
        speed=50, timing=FAST, models=table, faults=["fail_job:prompt=take 1,times=1"]
    ) as emu:
        (tmp_path / "vidgen.toml").write_text(config(emu.base_url("openai")))
        (tmp_path / "jobs.jsonl").write_text(lines(3))
        result = run("batch", "jobs.jsonl", "-p", "emu", "--quiet")
    assert result.exit_code == 1
    assert "2 done, 1 failed" in result.stderr
    results = [json.loads(x) for x in (tmp_path / "jobs.results.jsonl").read_text().splitlines()]
    assert [r["status"] for r in results] == ["done", "failed", "done"]
    assert "content" in results[1]["error"]


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
def test_a_killed_batch_carries_on_when_run_again(tmp_path: Path) -> None:
    server = EmulatorProcess(
        tmp_path, "--render-base", "1.0", "--model", f"{MODEL}:synthetic_bytes=1000"
    )
    try:
        (tmp_path / "vidgen.toml").write_text(config(server.base_url))
        (tmp_path / "jobs.jsonl").write_text(lines(10))
        env = {
            **os.environ,
            "EMU_KEY": "sk-emu",
            "VIDGEN_HOME": str(tmp_path / "home"),
            "VIDGEN_CONFIG": str(tmp_path / "vidgen.toml"),
        }
        command = [*CLI, "batch", "jobs.jsonl", "-p", "emu", "--concurrency", "3", "--quiet"]
        doomed = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE)
        server.wait_for(lambda s: s["total_submits"] >= 4, "four submits")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(30)
        again = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
        )
        assert again.returncode == 0, again.stderr
        stats = server.stats()
    finally:
        server.stop()
    assert stats["total_submits"] == 10
    assert sorted(stats["submits_by_prompt"].values()) == [1] * 10
    results = [json.loads(x) for x in (tmp_path / "jobs.results.jsonl").read_text().splitlines()]
    assert [r["status"] for r in results] == ["done"] * 10
