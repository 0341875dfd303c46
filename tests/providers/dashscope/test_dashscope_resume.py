"""`vidgen resume` finds a DashScope submit whose answer was lost, in the task list, and
finishes it; nothing is submitted twice."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from dashscope_payloads import I2V_SUCCEEDED, TASK_LIST

import vidgen
from vidgen.testing import FakeClock, FakeServer, fail, reply

MakeClient = Callable[..., vidgen.Client]
LOST = "7e2f0c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


def _listing(created_ms: int, *tasks: tuple[str, str]) -> dict[str, object]:
    body = copy.deepcopy(TASK_LIST)
    item = body["data"][0]  # type: ignore[index]
    body["data"] = [
        {
            **item,
            "task_id": task_id,
            "model_name": model,
            "gmt_create": created_ms,
            "status": "SUCCEEDED",
        }
        for task_id, model in tasks
    ]
    return body


def test_a_lost_submit_is_found_in_the_list_and_finished(
    make_client: MakeClient, clock: FakeClock, tmp_path: Path
) -> None:
    from vidgen._recovery import ResumeState, resume_entry

    created_ms = int((clock() + 3) * 1000)
    done = copy.deepcopy(I2V_SUCCEEDED)
    done["output"]["task_id"] = LOST
    server = (
        FakeServer()
        .route(
            "POST", "/api/v1/services/aigc/video-generation/video-synthesis", fail(httpx.ReadError)
        )
        .route(
            "GET",
            "/api/v1/tasks",
            # Another model's task at the same moment, and ours.
            reply(json=_listing(created_ms, ("other-1", "qwen-image"), (LOST, "wan2.6-t2v"))),
        )
        .route("GET", f"/api/v1/tasks/{LOST}", reply(json=done))
        .otherwise(reply(content=b"video", headers={"content-type": "video/mp4"}))
    )
    client = make_client(server)
    with pytest.raises(vidgen.TransportError, match="NOT resent"):
        client.submit(
            vidgen.VideoRequest(prompt="a fox", model="wan-2.6"), output=tmp_path / "fox.mp4"
        )
    assert client.ledger is not None
    (entry,) = client.ledger.unfinished()

    outcome = resume_entry(entry, ledger=client.ledger, client=client, output_dir=tmp_path)
    assert outcome.state is ResumeState.DOWNLOADED, outcome.message
    assert (tmp_path / "fox.mp4").read_bytes() == b"video"
    assert server.count("POST") == 1  # never submitted again
    assert client.ledger.get(entry.ledger_id).job_id == LOST  # type: ignore[union-attr]


def test_two_candidates_are_not_guessed_between(
    make_client: MakeClient, clock: FakeClock, tmp_path: Path
) -> None:
    from vidgen._recovery import ResumeState, resume_entry

    created_ms = int((clock() + 3) * 1000)
    server = (
        FakeServer()
        .route(
            "POST", "/api/v1/services/aigc/video-generation/video-synthesis", fail(httpx.ReadError)
        )
        .route(
            "GET",
            "/api/v1/tasks",
            reply(json=_listing(created_ms, ("a-1", "wan2.6-t2v"), ("a-2", "wan2.6-t2v"))),
        )
    )
    client = make_client(server)
    with pytest.raises(vidgen.TransportError):
        client.submit(vidgen.VideoRequest(prompt="a fox", model="wan-2.6"))
    assert client.ledger is not None
    (entry,) = client.ledger.unfinished()
    outcome = resume_entry(entry, ledger=client.ledger, client=client, output_dir=tmp_path)
    assert outcome.state is ResumeState.CANNOT_TELL
    assert "a-1" in outcome.message
    assert server.count("POST") == 1
