"""What the command line says: one readable line per mistake, JSON where scripts need it.

Each test is a defect found by using the CLI as a new user would (issue 11, item 13).
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

import vidgen
from vidgen.cli import _render, cli
from vidgen.testing import FakeClock, FakeServer, fail, reply

RELAY_TOML = """
[profiles.relay]
provider = "openai-compatible"
base_url = "https://relay.example.com/v1"
api_key_env = "MYRELAY_API_KEY"

[[profiles.relay.models]]
id = "veo-3.1-fast"
durations = [4, 8]
sizes = ["1280x720", "720x1280"]
price_per_second = "0.15"
price_source = "https://relay.example.com/pricing"
price_as_of = 2026-10-01
"""
JOB_ID = "video_68ff7cef76cc8190b7eab9395e936d9e"
ENV = {"MYRELAY_API_KEY": "sk-relay-test", "COLUMNS": "200"}


def job(status: str = "queued", **fields: Any) -> dict[str, Any]:
    return {"id": JOB_ID, "object": "video", "status": status, "model": "veo-3.1-fast", **fields}


@pytest.fixture
def server(tmp_path: Path) -> FakeServer:
    (tmp_path / "vidgen.toml").write_text(RELAY_TOML)
    found = FakeServer()
    found.route("POST", "/v1/videos", reply(json=job()))
    found.route("GET", f"/v1/videos/{JOB_ID}", reply(json=job("completed", progress=100)))
    found.route("GET", f"/v1/videos/{JOB_ID}/content", reply(content=b"the video"))
    return found


def run(
    server: FakeServer | None,
    *args: str,
    clock: FakeClock | None = None,
    sleep: Any = None,
    stdin: str | None = None,
) -> Result:
    clock = clock or FakeClock()
    obj: dict[str, Any] = {"clock": clock, "sleep": sleep or clock.sleep}
    if server is not None:
        obj["http_client"] = server.client()
    return CliRunner().invoke(cli, list(args), obj=obj, env=ENV, input=stdin, prog_name="vidgen")


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 1
    last = lines[-1]
    assert last.startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    assert "Usage:" not in result.output
    assert "`" not in last  # quoted readably, not in backticks
    return last


def only_error_line(result: Result, code: int = 2) -> str:
    line = one_line_error(result, code)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return line


# -- quote -----------------------------------------------------------------------------------


def test_quote_of_an_unknown_model_names_models_that_exist() -> None:
    line = only_error_line(run(None, "quote", "-m", "nosuch"))
    assert "offers model 'nosuch'" in line
    assert "sora-2" in line
    assert "'vidgen models'" in line


def test_quote_of_an_unknown_model_on_one_provider() -> None:
    line = only_error_line(run(None, "quote", "-m", "nosuch", "--provider", "openai"))
    assert "openai has no model 'nosuch'; models there: sora-2, sora-2-pro" in line


def test_profile_and_provider_together_is_a_cli_message(server: FakeServer) -> None:
    for command in (["quote"], ["generate", "x", "-o", "a.mp4"], ["status", "1"]):
        line = only_error_line(run(server, *command, "--profile", "relay", "--provider", "openai"))
        assert "give --profile or --provider, not both" in line
        assert "profile=" not in line
    assert server.requests == []


# -- job ids ---------------------------------------------------------------------------------


def test_a_ledger_number_with_a_profile_sends_the_jobs_id(server: FakeServer) -> None:
    assert run(server, "submit", "a koi pond", "-p", "relay", "-s", "8").exit_code == 0
    result = run(server, "status", "1", "-p", "relay")
    assert result.exit_code == 0, result.output
    status_requests = server.sent("GET")
    assert [r.url.path for r in status_requests] == [f"/v1/videos/{JOB_ID}"]
    assert JOB_ID in result.stdout


@pytest.mark.parametrize("job_id", ["", "   "])
def test_an_empty_job_id_says_so(server: FakeServer, job_id: str) -> None:
    line = only_error_line(run(server, "status", job_id, "--provider", "openai"))
    assert "the job id is empty" in line
    assert "API key" not in line
    assert server.requests == []


# -- jobs --------------------------------------------------------------------------------------


def test_jobs_refuses_an_unknown_status() -> None:
    line = only_error_line(run(None, "jobs", "--status", "bogus"))
    assert "'bogus' is neither a job status (queued, running, succeeded" in line
    assert "submit state (sending, accepted, rejected, outcome_unknown)" in line


def test_jobs_filter_with_no_match_does_not_say_the_ledger_is_empty(server: FakeServer) -> None:
    assert run(server, "submit", "a koi pond", "-p", "relay", "-s", "8").exit_code == 0
    result = run(server, "jobs", "--status", "failed")
    assert result.exit_code == 0
    assert "No jobs match" in result.stderr
    assert "No jobs in the ledger" not in result.stderr


# -- prompts from stdin ------------------------------------------------------------------------


def test_a_dash_prompt_is_read_from_stdin(server: FakeServer) -> None:
    result = run(server, "submit", "-", "-p", "relay", "-s", "8", stdin="a koi pond\nat dawn\n")
    assert result.exit_code == 0, result.output
    assert server.body()["prompt"] == "a koi pond\nat dawn"


def test_an_empty_stdin_prompt_is_refused(server: FakeServer) -> None:
    line = only_error_line(run(server, "submit", "-", "-p", "relay", stdin=""))
    assert "prompt is empty" in line
    assert server.requests == []


# -- messages ---------------------------------------------------------------------------------


def test_backticks_are_rendered_as_quotes() -> None:
    assert _render.readable("run `vidgen resume` or `vidgen download 12`") == (
        "run 'vidgen resume' or 'vidgen download 12'"
    )


def test_resume_says_downloaded_once(server: FakeServer, tmp_path: Path) -> None:
    clock = FakeClock()
    result = run(
        server, "generate", "a koi pond", "-p", "relay", "-s", "8", "-o", "koi.mp4", clock=clock
    )
    assert result.exit_code == 0, result.output
    # The download was recorded; make the ledger think the job was never finished.
    ledger = vidgen.Ledger(clock=clock)
    ledger.close()
    with sqlite3.connect(ledger.path) as db:
        db.execute("UPDATE jobs SET status = 'running', finished = 0")
    result = run(server, "resume", clock=clock)
    assert result.exit_code == 0, result.output
    assert "downloaded already downloaded" not in result.stderr
    assert "already downloaded to koi.mp4" in result.stderr


def test_download_of_a_thumbnail_never_takes_the_videos_place(
    server: FakeServer, tmp_path: Path
) -> None:
    server.route("GET", f"/v1/videos/{JOB_ID}/content", reply(content=b"bytes"))
    clock = FakeClock()
    assert run(server, "submit", "a koi pond", "-p", "relay", "-s", "8", clock=clock).exit_code == 0
    # Without -o a thumbnail goes to ID.thumbnail, not to the path the submit planned.
    result = run(server, "download", "1", "--variant", "thumbnail", clock=clock)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{JOB_ID}.thumbnail"
    result = run(server, "download", "1", "--variant", "thumbnail", "-o", "t.webp", clock=clock)
    assert result.exit_code == 0, result.output
    entry = vidgen.Ledger(clock=clock).get(1)
    assert entry is not None
    assert entry.output_path is None  # only the main video is the job's output
    result = run(server, "download", "1", "-o", "koi.mp4", clock=clock)
    assert result.exit_code == 0, result.output
    entry = vidgen.Ledger(clock=clock).get(1)
    assert entry is not None
    assert entry.output_path == "koi.mp4"
    run(server, "download", "1", "--variant", "thumbnail", "-o", "t2.webp", clock=clock)
    entry = vidgen.Ledger(clock=clock).get(1)
    assert entry is not None
    assert entry.output_path == "koi.mp4"


def test_the_thumbnail_default_name_ignores_the_planned_video_path(
    server: FakeServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    vidgen_client = vidgen.Client(
        "relay", api_key="sk-relay", clock=clock, sleep=clock.sleep, http_client=server.client()
    )
    request = vidgen.VideoRequest(prompt="a koi pond", duration=8)
    vidgen_client.submit(request, output=tmp_path / "planned.mp4")
    result = run(server, "download", "1", "--variant", "thumbnail", clock=clock)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "planned.mp4").exists()
    assert (tmp_path / f"{JOB_ID}.thumbnail").read_bytes() == b"the video"


def test_ctrl_c_while_waiting_says_the_job_keeps_running(server: FakeServer) -> None:
    server.route("GET", f"/v1/videos/{JOB_ID}", reply(json=job("in_progress", progress=10)))

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    result = run(
        server, "generate", "a koi", "-p", "relay", "-s", "8", "-o", "k.mp4", sleep=interrupt
    )
    line = one_line_error(result, 130)
    assert f"job {JOB_ID} keeps running at relay and may be billed" in line
    assert "'vidgen resume'" in line
    assert f"'vidgen download {JOB_ID}'" in line


def test_ctrl_c_during_the_submit_says_a_job_may_exist(server: FakeServer) -> None:
    def interrupted(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    server.route("POST", "/v1/videos", interrupted)
    result = run(server, "generate", "a koi", "-p", "relay", "-s", "8", "-o", "k.mp4")
    line = one_line_error(result, 130)
    assert "a job may exist and may be billed" in line
    assert "'vidgen resume'" in line


# -- tables at 80 columns ------------------------------------------------------------------------


def test_tables_never_break_ids_or_dates_at_80_columns(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(server, "submit", "a koi pond", "-p", "relay", "-s", "8").exit_code == 0
    monkeypatch.setattr(_render.console, "width", 80)
    jobs = run(server, "jobs")
    assert jobs.exit_code == 0, jobs.output
    assert JOB_ID in jobs.stderr
    quote = run(None, "quote", "-s", "8", "--all")
    assert "2026-08-21" in quote.stderr
    assert "sora-2-pro" in quote.stderr
    models = run(None, "models")
    assert "2026-09-24" in models.stderr
    for text in (jobs.stderr, quote.stderr, models.stderr):
        long = [line for line in text.splitlines() if len(line) > 80]
        assert all(line.startswith("  [") for line in long), long  # source URLs stay whole


def test_a_wide_terminal_still_gets_a_table() -> None:
    output = io.StringIO()
    wide = Console(file=output, width=200)
    table = _render.Table(title="t")
    table.add_column("job id", no_wrap=True)
    table.add_row(JOB_ID)
    wide.print(table)
    assert JOB_ID in output.getvalue()


# -- --json everywhere a script needs it ----------------------------------------------------------


def test_generate_wait_and_download_print_json(server: FakeServer) -> None:
    made = run(server, "generate", "a koi", "-p", "relay", "-s", "8", "-o", "k.mp4", "--json")
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert data["path"] == "k.mp4"
    assert data["job"]["id"] == JOB_ID
    waited = json.loads(run(server, "wait", JOB_ID, "--json").stdout)
    assert waited["status"] == "succeeded"
    fetched = json.loads(run(server, "download", JOB_ID, "-o", "k2.mp4", "--json").stdout)
    assert fetched == {"path": "k2.mp4", "job_id": JOB_ID, "variant": "video"}


def test_resume_providers_and_config_print_json(server: FakeServer, tmp_path: Path) -> None:
    assert json.loads(run(server, "resume", "--json").stdout) == []
    assert run(server, "submit", "a koi", "-p", "relay", "-s", "8").exit_code == 0
    resumed = json.loads(run(server, "resume", "--json").stdout)
    assert [(r["ledger_id"], r["state"]) for r in resumed] == [(1, "downloaded")]
    providers = json.loads(run(None, "providers", "--json").stdout)
    names = [p["name"] for p in providers["providers"]]
    assert "openai" in names
    openai = next(p for p in providers["providers"] if p["name"] == "openai")
    assert openai["key_env"] == "OPENAI_API_KEY"
    config = json.loads(run(None, "config", "--json").stdout)
    assert config["profiles"] == [
        {
            "name": "relay",
            "provider": "openai-compatible",
            "api_key_env": "MYRELAY_API_KEY",
            "default": False,
        }
    ]


def test_config_takes_a_config_path(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('[profiles.x]\nprovider = "openai"\n')
    result = run(None, "config", "--config", str(other))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(other)
    assert "x: provider openai" in result.stderr
    line = only_error_line(run(None, "config", "--config", str(tmp_path / "missing.toml")))
    assert "no config file at" in line


# -- transport messages ----------------------------------------------------------------------


def test_a_local_pool_timeout_does_not_blame_the_network(server: FakeServer) -> None:
    server.route("POST", "/v1/videos", fail(httpx.PoolTimeout))
    line = one_line_error(run(server, "submit", "a koi", "-p", "relay", "-s", "8"), 1)
    assert "no free connection in this client's pool" in line
    assert "nothing was sent" in line
    assert "check the network" not in line
    assert "http_client=httpx.Client(limits=" in line


# -- the ledger, as the troubleshooting guide shows it ---------------------------------------------


def test_an_unusable_ledger_folder_is_one_line(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "a-file"))
    for args in (["jobs"], ["generate", "a koi", "-p", "relay", "-s", "8", "-o", "k.mp4"]):
        line = only_error_line(run(server, *args))
        assert "cannot open the job ledger" in line
        assert "Set VIDGEN_HOME to a folder you can write" in line
    assert server.requests == []
    with pytest.raises(vidgen.LedgerError, match="cannot open the job ledger"):
        vidgen.Ledger(tmp_path / "a-file" / "ledger.sqlite3")


def test_a_submit_whose_outcome_is_unknown_shows_as_such(server: FakeServer) -> None:
    server.route("POST", "/v1/videos", fail(httpx.ReadTimeout, "The read operation timed out"))
    line = one_line_error(run(server, "submit", "a koi", "-p", "relay", "-s", "8"), 1)
    assert "timed out). The submit was NOT resent" in line
    jobs = run(server, "jobs")
    assert "submit outcome_unknown" in jobs.stderr
    line = only_error_line(run(server, "status", "1"))
    assert "submit #1 has no job id yet: its outcome is outcome_unknown" in line
    assert "'vidgen resume'" in line


def test_a_refused_submit_is_not_sent_to_resume(server: FakeServer) -> None:
    server.route("POST", "/v1/videos", fail(httpx.ConnectError, "Name or service not known"))
    run(server, "submit", "a koi", "-p", "relay", "-s", "8")
    line = only_error_line(run(server, "status", "1"))
    assert "submit #1 created no job, so nothing was billed (" in line
    assert "resume" not in line


# -- cancel and prices refresh ---------------------------------------------------------------

ARK_TASK = "cgt-20260828062711-hj94q"
ARK_TASK_PATH = f"/api/v3/contents/generations/tasks/{ARK_TASK}"


def ark_task(status: str) -> dict[str, Any]:
    return {
        "id": ARK_TASK,
        "model": "seedance-1-0-pro-250528",
        "status": status,
        "created_at": 1787869631,
        "updated_at": 1787869648,
    }


def run_with(server: FakeServer, *args: str, **env: str) -> Result:
    clock = FakeClock(start=1787869700)
    obj = {"clock": clock, "sleep": clock.sleep, "http_client": server.client()}
    return CliRunner().invoke(cli, list(args), obj=obj, env={**ENV, **env}, prog_name="vidgen")


def test_cancel_stops_a_queued_job_after_reading_it() -> None:
    server = FakeServer()
    server.route(
        "GET", ARK_TASK_PATH, reply(json=ark_task("queued")), reply(json=ark_task("cancelled"))
    )
    server.route("DELETE", ARK_TASK_PATH, reply(json={}))
    result = run_with(server, "cancel", ARK_TASK, "--provider", "byteplus", ARK_API_KEY="ark-k")
    assert result.exit_code == 0, result.output
    assert "cancelled" in result.stdout
    assert [r.method for r in server.requests] == ["GET", "DELETE", "GET"]


def test_cancel_leaves_a_finished_job_and_its_video_alone() -> None:
    server = FakeServer()
    server.route("GET", ARK_TASK_PATH, reply(json=ark_task("succeeded")))
    result = run_with(server, "cancel", ARK_TASK, "--provider", "byteplus", ARK_API_KEY="ark-k")
    assert result.exit_code == 0, result.output
    assert "had already ended (succeeded); nothing was cancelled" in result.stderr
    assert [r.method for r in server.requests] == ["GET"]


def test_cancel_where_the_api_has_none_is_one_line(server: FakeServer) -> None:
    line = one_line_error(run(server, "cancel", JOB_ID, "-p", "relay"))
    assert "cannot cancel" in line
    assert server.requests == []


def test_prices_refresh_keeps_a_dated_overlay_that_quotes_cite() -> None:
    listing = json.loads(
        (
            Path(__file__).parents[1]
            / "providers/openrouter/data/openrouter-video-models-2026-08-21.json"
        ).read_text()
    )
    server = FakeServer()
    server.route("GET", "/api/v1/videos/models", reply(json={"data": listing[:3]}))
    result = run_with(server, "prices", "refresh", "openrouter")
    assert result.exit_code == 0, result.output
    overlay = Path(result.stdout.strip())
    assert overlay.is_file()
    quoted = run_with(
        FakeServer(), "quote", "--provider", "openrouter", "-m", listing[0]["id"], "--json"
    )
    assert quoted.exit_code == 0, quoted.output
    rows = [o for o in json.loads(quoted.stdout) if o.get("quote")]
    assert rows
    assert all(o["quote"]["source"] == "https://openrouter.ai/api/v1/videos/models" for o in rows)


def test_prices_refresh_where_the_vendor_publishes_none_is_one_line() -> None:
    server = FakeServer()
    line = one_line_error(run_with(server, "prices", "refresh", "kling"))
    assert "publishes no machine-readable prices" in line
    assert server.requests == []
