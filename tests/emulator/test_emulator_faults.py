"""Scripted faults: every kind, matching, and the three ways to add them."""

from __future__ import annotations

import time

import httpx
import pytest
from emulator_support import LATER, SMALL, create_video, error_of

from vidgen.emulator import FAULT_KINDS, Emulator, Fault, parse_fault
from vidgen.testing import FakeClock


def _finished(http: httpx.Client, clock: FakeClock, **fields: str) -> str:
    video = create_video(http, **fields)
    clock.advance(LATER)
    return str(video["id"])


def test_rate_limit_on_submit_then_success(http: httpx.Client, emulator: Emulator) -> None:
    emulator.add_fault(Fault(kind="rate_limit", times=2, retry_after=2.5))
    for _ in range(2):
        answer = http.post("/v1/videos", json=SMALL)
        assert answer.status_code == 429
        assert (answer.headers["retry-after"], answer.headers["retry-after-ms"]) == ("3", "2500")
        assert error_of(answer)["code"] == "rate_limit_exceeded"
    assert http.post("/v1/videos", json=SMALL).status_code == 200
    stats = emulator.stats()
    assert (stats.submit_attempts, stats.submits) == ({"openai": 3}, {"openai": 1})
    assert stats.faults_fired == {"rate_limit": 2}
    assert emulator.faults() == ()


def test_faults_target_a_prompt_or_a_model(http: httpx.Client, emulator: Emulator) -> None:
    emulator.add_fault(Fault(kind="rate_limit", on="status", times=None, prompt="unlucky"))
    emulator.add_fault(Fault(kind="server_error", on="any", model="sora-2-pro", status=502))
    lucky = create_video(http, prompt="a lucky cat")
    unlucky = create_video(http, prompt="an unlucky cat")
    assert http.get(f"/v1/videos/{lucky['id']}").status_code == 200
    for _ in range(3):
        assert http.get(f"/v1/videos/{unlucky['id']}").status_code == 429
    pro = http.post("/v1/videos", json={**SMALL, "model": "sora-2-pro"})
    assert pro.status_code == 502
    assert error_of(pro)["type"] == "server_error"
    assert http.post("/v1/videos", json={**SMALL, "model": "sora-2-pro"}).status_code == 200
    (left,) = emulator.faults()
    assert (left.kind, left.times) == ("rate_limit", None)


def test_server_error_in_each_protocols_shape(emulator: Emulator) -> None:
    emulator.add_fault(Fault(kind="server_error", on="submit", status=503, times=None))
    openai = httpx.post(emulator.base_url("openai") + "/videos", json=SMALL)
    assert (openai.status_code, error_of(openai)["type"]) == (503, "server_error")
    task = {"model": "m", "input": {"prompt": "p", "duration": 1}}
    relay = httpx.post(emulator.base_url("aivideoapi") + "/videos/generations", json=task)
    assert error_of(relay)["code"] == "upstream_error"
    job = {"prompt": "p", "model": "sora", "width": 480, "height": 480}
    azure = httpx.post(emulator.base_url("azure") + "/video/generations/jobs", json=job)
    assert error_of(azure)["code"] == "ServiceUnavailable"
    assert emulator.stats().submits == {}


def test_drop_after_submit_creates_the_job_but_the_answer_never_completes(
    http: httpx.Client, emulator: Emulator
) -> None:
    emulator.add_fault("drop_after_submit:prompt=dropped")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        http.post("/v1/videos", json={**SMALL, "prompt": "this one is dropped"})
    assert emulator.stats().submits_by_prompt == {"this one is dropped": 1}
    jobs = httpx.get(f"{emulator.url}/_emulator/jobs").json()["jobs"]
    assert "this one is dropped" in [job["prompt"] for job in jobs]
    listed = http.get("/v1/videos", params={"limit": 100}).json()["data"]
    assert "this one is dropped" in [video["prompt"] for video in listed]
    # The next submit is answered normally.
    assert http.post("/v1/videos", json={**SMALL, "prompt": "dropped again"}).status_code == 200


def test_cut_download_then_range_resume(
    http: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    video_id = _finished(http, emu_clock)
    whole = http.get(f"/v1/videos/{video_id}/content").content
    emulator.reset_stats()
    emulator.add_fault(Fault(kind="cut_download", after_bytes=1000))
    received = bytearray()

    def download() -> None:
        with http.stream("GET", f"/v1/videos/{video_id}/content") as answer:
            assert answer.headers["content-length"] == str(len(whole))
            for chunk in answer.iter_raw():
                received.extend(chunk)

    with pytest.raises(httpx.RemoteProtocolError):
        download()
    assert bytes(received) == whole[:1000]
    rest = http.get(f"/v1/videos/{video_id}/content", headers={"Range": f"bytes={len(received)}-"})
    assert bytes(received) + rest.content == whole
    stats = emulator.stats()
    assert stats.ranges == ("bytes=1000-",)
    assert stats.bytes_sent == len(whole)
    assert stats.content_requests == {video_id: 2}


def test_slow_download(http: httpx.Client, emu_clock: FakeClock, emulator: Emulator) -> None:
    video_id = _finished(http, emu_clock)
    emulator.add_fault(Fault(kind="slow_download", bytes_per_second=10_000))
    started = time.monotonic()
    answer = http.get(f"/v1/videos/{video_id}/content", headers={"Range": "bytes=0-3999"})
    elapsed = time.monotonic() - started
    assert len(answer.content) == 4000
    assert elapsed >= 0.3  # 4000 bytes at 10 kB/s, in ten chunks a second


def test_a_slow_download_stops_when_the_client_leaves(
    http: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    video_id = _finished(http, emu_clock)
    size = len(http.get(f"/v1/videos/{video_id}/content").content)
    emulator.reset_stats()
    emulator.add_fault(Fault(kind="slow_download", bytes_per_second=1000))
    with (
        httpx.Client(base_url=emulator.url) as client,
        client.stream("GET", f"/v1/videos/{video_id}/content") as answer,
    ):
        next(answer.iter_raw())  # one chunk, then hang up
    time.sleep(0.3)
    sent = emulator.stats().bytes_sent
    time.sleep(0.3)
    assert emulator.stats().bytes_sent == sent < size / 2


@pytest.mark.parametrize("status", [404, 410])
def test_expired_content(
    http: httpx.Client, emu_clock: FakeClock, emulator: Emulator, status: int
) -> None:
    video_id = _finished(http, emu_clock)
    emulator.add_fault(Fault(kind="expired", status=status))
    answer = http.get(f"/v1/videos/{video_id}/content")
    assert answer.status_code == status
    assert error_of(answer)["code"] == "video_expired"
    assert http.get(f"/v1/videos/{video_id}/content").status_code == 200


def test_content_expires_on_the_clock(http: httpx.Client, emu_clock: FakeClock) -> None:
    video_id = _finished(http, emu_clock)
    emu_clock.advance(3600)  # the retention in these tests
    assert http.get(f"/v1/videos/{video_id}/content").status_code == 404


def test_fail_job_fails_only_the_matching_job(
    http: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    emulator.add_fault(Fault(kind="fail_job", prompt="forbidden"))
    bad = create_video(http, prompt="something forbidden")
    good = create_video(http, prompt="something fine")
    emu_clock.advance(LATER)
    failed = http.get(f"/v1/videos/{bad['id']}").json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "moderation_blocked"
    assert failed["completed_at"] is None
    assert http.get(f"/v1/videos/{good['id']}").json()["status"] == "completed"
    assert http.get(f"/v1/videos/{bad['id']}/content").status_code == 400


def test_never_finish(http: httpx.Client, emu_clock: FakeClock, emulator: Emulator) -> None:
    emulator.add_fault("never_finish")
    video = create_video(http)
    emu_clock.advance(1e6)
    stuck = http.get(f"/v1/videos/{video['id']}").json()
    assert (stuck["status"], stuck["progress"]) == ("in_progress", 99)


def test_delay_and_malformed(http: httpx.Client, emulator: Emulator) -> None:
    video = create_video(http)
    emulator.add_fault(Fault(kind="delay", seconds=0.3))
    started = time.monotonic()
    assert http.get(f"/v1/videos/{video['id']}").status_code == 200
    assert time.monotonic() - started >= 0.3
    emulator.add_fault(Fault(kind="malformed", on="status"))
    junk = http.get(f"/v1/videos/{video['id']}")
    assert (junk.status_code, junk.headers["content-type"]) == (200, "text/html")
    with pytest.raises(ValueError, match="Expecting value"):
        junk.json()
    assert emulator.stats().faults_fired == {"delay": 1, "malformed": 1}


def test_faults_through_the_admin_endpoint(emulator: Emulator) -> None:
    admin = f"{emulator.url}/_emulator/faults"
    added = httpx.post(
        admin, json=[{"kind": "rate_limit", "on": "list", "times": 3}, {"kind": "never_finish"}]
    )
    assert added.status_code == 201
    assert [f["kind"] for f in added.json()["faults"]] == ["rate_limit", "never_finish"]
    assert httpx.get(emulator.base_url("openai") + "/videos").status_code == 429
    listed = httpx.get(admin).json()["faults"]
    assert [(f["kind"], f["times"]) for f in listed] == [("rate_limit", 2), ("never_finish", 1)]
    bad = httpx.post(admin, json={"kind": "explode"})
    assert bad.status_code == 400
    assert "unknown fault kind" in error_of(bad)["message"]
    assert httpx.post(admin, json={"kind": "rate_limit", "colour": "red"}).status_code == 400
    assert httpx.post(admin, content=b"{").status_code == 400
    assert httpx.delete(admin).json() == {"faults": []}
    assert emulator.faults() == ()


def test_faults_given_at_construction_as_text() -> None:
    with Emulator(
        protocols=["openai"], faults=["rate_limit:times=1", Fault(kind="server_error")]
    ) as emulator:
        url = emulator.base_url("openai") + "/videos"
        assert [httpx.post(url, json=SMALL).status_code for _ in range(3)] == [429, 500, 200]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rate_limit", Fault(kind="rate_limit")),
        (
            "rate_limit:on=status,times=2,retry_after=1.5",
            Fault(kind="rate_limit", on="status", times=2, retry_after=1.5),
        ),
        ("server_error:status=503,times=inf", Fault(kind="server_error", status=503, times=None)),
        ("cut_download:after_bytes=300000", Fault(kind="cut_download", after_bytes=300000)),
        ("fail_job:prompt=cat,model=sora-2", Fault(kind="fail_job", prompt="cat", model="sora-2")),
        ('{"kind": "fail_job", "prompt": "a, b"}', Fault(kind="fail_job", prompt="a, b")),
        ("delay:seconds=0.5,protocol=azure", Fault(kind="delay", seconds=0.5, protocol="azure")),
    ],
)
def test_parse_fault(text: str, expected: Fault) -> None:
    assert parse_fault(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("explode", "unknown fault kind"),
        ("cut_download:on=submit", "applies to download"),
        ("drop_after_submit:on=status", "applies to submit"),
        ("rate_limit:times=0", "times must be at least 1"),
        ("server_error:status=404", "5xx"),
        ("expired:status=500", "404 or 410"),
        ("rate_limit:protocol=vertex", "protocol must be"),
        ("rate_limit:colour=red", "unknown fault field"),
        ("rate_limit:times", "NAME=VALUE"),
        ("rate_limit:retry_after=-1", "must not be negative"),
        ("slow_download:bytes_per_second=0", "at least 1"),
        ("{oops", "not valid JSON"),
        ("[1]", "unknown fault kind"),
    ],
)
def test_bad_faults_are_refused(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_fault(text)


def test_each_kind_has_a_natural_operation() -> None:
    on = {kind: Fault(kind=kind).on for kind in FAULT_KINDS}
    assert on["rate_limit"] == on["drop_after_submit"] == on["fail_job"] == "submit"
    assert on["cut_download"] == on["slow_download"] == on["expired"] == "download"
    assert Fault(kind="rate_limit").to_dict()["on"] == "submit"
