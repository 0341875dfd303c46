"""``vidgen spend`` on OpenRouter jobs: what OpenRouter reports it billed (``usage.cost``)
beside vidgen's quote, drift flagged, and failed jobs listed as not billed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openrouter_payloads import COMPLETED, CONTENT_URL, CREATED, FAILED, KEY, MOUNTAINS, VIDEO_STUB

import vidgen
from vidgen.cli import cli
from vidgen.testing import FakeClock, FakeServer, reply


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


def spend(clock: FakeClock, *args: str) -> Any:
    result = CliRunner().invoke(
        cli, ["spend", *args, "--json"], obj={"clock": clock}, env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.vcr("test_generate_sync.yaml")
def test_billed_beside_quoted_on_the_cassette(
    tmp_path: Path, clock: FakeClock, cassette_client: Callable[..., vidgen.Client]
) -> None:
    """The lifecycle cassette: quoted $3.20 for 8 s of Veo 3.1; OpenRouter reports 3.2."""
    client = cassette_client(clock=clock, provider="openrouter", api_key=KEY)
    client.generate(MOUNTAINS, tmp_path / "mountains.mp4")
    client.close()
    (row,) = spend(clock)
    assert (row["profile"], row["jobs"], row["quoted"], row["billed"]) == (
        "openrouter",
        1,
        "3.20",
        "3.2",
    )
    assert (row["billed_jobs"], row["failed"], row["drift"]) == (1, 0, 0)
    (job,) = spend(clock, "--jobs")
    assert job["billed"]["cost"] == "3.2"
    assert job["quoted_seconds"] == 8
    assert job["drift"] == []


def test_drift_and_failed_jobs(
    tmp_path: Path, clock: FakeClock, make_client: Callable[..., vidgen.Client]
) -> None:
    server = FakeServer()
    server.route("POST", "/api/v1/videos", reply(202, json=CREATED))
    server.route(
        "GET",
        "/api/v1/videos/job-abc123",
        reply(json={**COMPLETED, "usage": {"cost": 6.4}}),  # twice the quote
    )
    server.on("GET", CONTENT_URL.split("?")[0], reply(content=VIDEO_STUB))
    with make_client(server) as client:
        client.generate(MOUNTAINS, tmp_path / "a.mp4")
    failing = FakeServer()
    failing.route("POST", "/api/v1/videos", reply(202, json={**CREATED, "id": "job-2"}))
    failing.route("GET", "/api/v1/videos/job-2", reply(json={**FAILED, "id": "job-2"}))
    with make_client(failing) as client, pytest.raises(vidgen.JobFailed):
        client.generate(MOUNTAINS, tmp_path / "b.mp4")

    (row,) = spend(clock)
    assert (row["jobs"], row["quoted"], row["billed"], row["failed"], row["drift"]) == (
        1,
        "3.20",
        "6.4",
        1,
        1,
    )
    jobs = spend(clock, "--jobs")
    assert [j["status"] for j in jobs] == ["succeeded", "failed"]
    assert jobs[0]["drift"] == ["billed 6.4 after a 3.20 quote"]

    table = CliRunner().invoke(cli, ["spend"], obj={"clock": clock}, env={"COLUMNS": "200"})
    assert "1 not billed" in table.stderr
    chart = CliRunner().invoke(
        cli, ["spend", "--chart", "--by", "profile"], obj={"clock": clock}, env={"COLUMNS": "200"}
    )
    assert chart.exit_code == 0, chart.output
    assert "openrouter" in chart.stderr
    assert "█" in chart.stderr
    assert "$3.20" in chart.stderr
