"""`vidgen resume` finds a Kling submit whose answer was lost, in the task list, and
finishes it; nothing is submitted twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from kling_payloads import TASK_ID, VIDEO_URL, envelope, task

import vidgen
from vidgen.testing import FakeClock, FakeServer, fail, reply

MakeClient = Callable[..., vidgen.Client]


def _lost_submit(server: FakeServer, make_client: MakeClient, tmp_path: Path) -> vidgen.Client:
    server.route("POST", "/v1/videos/text2video", fail(httpx.ReadError))
    client = make_client(server)
    with pytest.raises(vidgen.TransportError, match="NOT resent"):
        client.submit(vidgen.VideoRequest(prompt="a fox"), output=tmp_path / "fox.mp4")
    return client


def test_a_lost_submit_is_found_in_the_list_and_finished(
    make_client: MakeClient, clock: FakeClock, tmp_path: Path
) -> None:
    from vidgen._recovery import ResumeState, resume_entry

    created = int((clock() + 2) * 1000)
    listed = {
        **task("succeed", external=None),
        "created_at": created,
        "updated_at": created + 90_000,
    }
    server = FakeServer().route("GET", "/v1/videos/text2video", reply(json=envelope([listed])))
    server.otherwise(reply(content=b"video", headers={"content-type": "video/mp4"}))
    client = _lost_submit(server, make_client, tmp_path)
    assert client.ledger is not None
    (entry,) = client.ledger.unfinished()

    outcome = resume_entry(entry, ledger=client.ledger, client=client, output_dir=tmp_path)
    assert outcome.state is ResumeState.DOWNLOADED, outcome.message
    assert (tmp_path / "fox.mp4").read_bytes() == b"video"
    assert server.count("POST") == 1
    assert [str(r.url) for r in server.sent(host="cdn.klingai.com")] == [VIDEO_URL]
    assert client.ledger.get(entry.ledger_id).job_id == f"t2v-{TASK_ID}"  # type: ignore[union-attr]


def test_a_submit_that_never_arrived_is_not_sent_again(
    make_client: MakeClient, clock: FakeClock, tmp_path: Path
) -> None:
    from vidgen._recovery import ResumeState, resume_entry

    old = int((clock() - 86_400) * 1000)  # yesterday's task only
    listed = {**task("succeed", external=None), "created_at": old, "updated_at": old}
    server = FakeServer().route("GET", "/v1/videos/text2video", reply(json=envelope([listed])))
    client = _lost_submit(server, make_client, tmp_path)
    assert client.ledger is not None
    (entry,) = client.ledger.unfinished()
    outcome = resume_entry(entry, ledger=client.ledger, client=client, output_dir=tmp_path)
    assert outcome.state is ResumeState.CANNOT_TELL
    assert "never arrived" in outcome.message
    assert server.count("POST") == 1
