"""The sync client over a scripted API: never pay twice, polling, atomic downloads, budget."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from core_support import FAKE_NOW, KeyHeader, video

import vidgen
from vidgen import (
    BudgetExceeded,
    ContentExpired,
    InsufficientCredits,
    Job,
    JobFailed,
    JobStatus,
    NotFound,
    Output,
    ProtocolError,
    ServerError,
    TransportError,
    UnsupportedRequest,
    VideoRequest,
    WaitTimeout,
)
from vidgen.provider import Provider
from vidgen.testing import FakeClock, FakeServer, broken_body, fail, fake_client, reply

MakeClient = Callable[..., vidgen.Client]

CREATE = "/v1/videos"
STATUS = "/v1/videos/video_123"
CONTENT = "/v1/videos/video_123/content"
REQUEST = VideoRequest(prompt="A calico cat playing a piano", duration=8, aspect="16:9")
RATE_LIMIT = {
    "error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}
}
SERVER_ERROR = {"error": {"message": "The server had an error", "type": "server_error"}}


def finished_job(**changes: object) -> Job:
    values: dict[str, object] = {
        "id": "video_123",
        "provider": "openai",
        "status": JobStatus.SUCCEEDED,
        "outputs": (Output(ref="video_123"),),
        "expires_at": dt.datetime.fromtimestamp(FAKE_NOW + 3600, tz=dt.timezone.utc),
    }
    values.update(changes)
    return Job(**values)  # type: ignore[arg-type]


def no_part_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".part")]


# -- submit: resent only when it provably never arrived ---------------------------------------------


def test_submit_sends_once(api: FakeServer, make_client: MakeClient, clock: FakeClock) -> None:
    api.route("POST", CREATE, reply(json=video()))
    job = make_client().submit(REQUEST)
    assert (job.id, job.status, job.provider) == ("video_123", JobStatus.QUEUED, "openai")
    assert api.count("POST") == 1
    sent = api.requests[0]
    assert json.loads(sent.content) == {
        "model": "sora-2",
        "prompt": REQUEST.prompt,
        "seconds": "8",
        "size": "1280x720",
    }
    assert sent.headers["authorization"] == "Bearer sk-test-secret"
    assert clock.sleeps == []


def test_submit_is_resent_after_a_connect_error(
    api: FakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    api.route("POST", CREATE, fail(httpx.ConnectError), reply(json=video()))
    job = make_client().submit(REQUEST)
    assert job.id == "video_123"
    assert api.count("POST") == 2
    assert len(clock.sleeps) == 1
    assert 0.5 <= clock.sleeps[0] <= 0.55  # the first backoff step, with jitter


def test_submit_gives_up_after_repeated_connect_errors(
    api: FakeServer, make_client: MakeClient
) -> None:
    api.route("POST", CREATE, fail(httpx.ConnectError, "name or service not known"))
    with pytest.raises(TransportError) as info:
        make_client().submit(REQUEST)
    assert info.value.request_sent is False
    assert "could not connect" in str(info.value)
    assert api.count("POST") == vidgen.RetryPolicy().submit_attempts == 3


def test_submit_is_resent_after_a_rate_limit(
    api: FakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    api.route(
        "POST",
        CREATE,
        reply(429, json=RATE_LIMIT, headers={"retry-after": "7"}),
        reply(json=video()),
    )
    assert make_client().submit(REQUEST).id == "video_123"
    assert api.count("POST") == 2
    assert clock.sleeps == [7.0]


def test_quota_429_is_not_resent(api: FakeServer, make_client: MakeClient) -> None:
    body = {"error": {"message": "You exceeded your quota", "code": "insufficient_quota"}}
    api.route("POST", CREATE, reply(429, json=body))
    with pytest.raises(InsufficientCredits):
        make_client().submit(REQUEST)
    assert api.count("POST") == 1


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteTimeout],
)
def test_submit_is_not_resent_once_it_may_have_arrived(
    api: FakeServer, make_client: MakeClient, clock: FakeClock, error: type[httpx.TransportError]
) -> None:
    api.route("POST", CREATE, fail(error), reply(json=video()))
    with pytest.raises(TransportError) as info:
        make_client().submit(REQUEST)
    assert api.count("POST") == 1
    assert info.value.request_sent is True
    message = str(info.value)
    assert "NOT resent" in message
    assert "a job may exist and may be billed" in message
    assert clock.sleeps == []
    assert isinstance(info.value.__cause__, TransportError)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_submit_is_not_resent_after_a_server_error(
    api: FakeServer, make_client: MakeClient, clock: FakeClock, status: int
) -> None:
    api.route("POST", CREATE, reply(status, json=SERVER_ERROR), reply(json=video()))
    with pytest.raises(ServerError) as info:
        make_client().submit(REQUEST)
    assert api.count("POST") == 1
    assert info.value.status_code == status
    assert "may have created the job" in (info.value.hint or "")
    assert "not resent" in str(info.value)
    assert clock.sleeps == []


# -- reads: retried with backoff, honouring the server -----------------------------------------------


def test_status_read_is_retried(api: FakeServer, make_client: MakeClient, clock: FakeClock) -> None:
    api.route(
        "GET",
        STATUS,
        fail(httpx.ReadTimeout),
        reply(500, json=SERVER_ERROR),
        reply(503, content=b"unavailable"),
        reply(json=video("in_progress", progress=40)),
    )
    job = make_client().get("video_123")
    assert (job.status, job.progress) == (JobStatus.RUNNING, 40)
    assert api.count("GET") == 4
    assert len(clock.sleeps) == 3
    for slept, base in zip(clock.sleeps, (0.5, 1.0, 2.0), strict=True):
        assert base <= slept <= base * 1.1  # doubling backoff with at most 10% jitter


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "3"}, 3.0), ({"retry-after-ms": "1500"}, 1.5)],
)
def test_status_read_honours_retry_after(
    api: FakeServer,
    make_client: MakeClient,
    clock: FakeClock,
    headers: dict[str, str],
    expected: float,
) -> None:
    api.route("GET", STATUS, reply(503, content=b"busy", headers=headers), reply(json=video()))
    make_client().get("video_123")
    assert clock.sleeps == [expected]


def test_status_read_gives_up(api: FakeServer, make_client: MakeClient) -> None:
    api.route("GET", STATUS, reply(500, json=SERVER_ERROR))
    with pytest.raises(ServerError):
        make_client().get("video_123")
    assert api.count("GET") == vidgen.RetryPolicy().read_attempts == 5


def test_not_found_is_not_retried(api: FakeServer, make_client: MakeClient) -> None:
    api.route("GET", STATUS, reply(404, json={"error": {"message": "No such video"}}))
    with pytest.raises(NotFound):
        make_client().get("video_123")
    assert api.count("GET") == 1


# -- wait ---------------------------------------------------------------------------------------


def test_wait_honours_the_poll_hint(
    api: FakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    api.route(
        "GET",
        STATUS,
        reply(json=video("in_progress", progress=30), headers={"openai-poll-after-ms": "2000"}),
        reply(json=video("in_progress", progress=60), headers={"openai-poll-after-ms": "3500"}),
        reply(json=video("completed", progress=100)),
    )
    job = make_client().wait(Job(id="video_123", provider="openai", status=JobStatus.QUEUED))
    assert job.status is JobStatus.SUCCEEDED
    assert clock.sleeps == [2.0, 3.5]


def test_wait_backs_off_without_hints(
    api: FakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    api.route(
        "GET", STATUS, *[reply(json=video("in_progress"))] * 7, reply(json=video("completed"))
    )
    make_client().wait("video_123")
    assert clock.sleeps == [5.0, 7.5, 11.25, 16.875, 20.0, 20.0, 20.0]


def test_wait_times_out_at_the_deadline(
    api: FakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    api.route("GET", STATUS, reply(json=video("in_progress", progress=55)))
    start = clock.now
    with pytest.raises(WaitTimeout) as info:
        make_client().wait("video_123", timeout=30)
    assert info.value.job.status is JobStatus.RUNNING
    assert info.value.job.progress == 55
    assert clock.now - start == pytest.approx(30)
    assert max(clock.sleeps) <= 30
    assert "still running (55%) after 30 s" in str(info.value)
    assert "vidgen wait video_123" in str(info.value)


def test_wait_never_sleeps_past_a_hint_beyond_the_deadline(
    api: FakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    api.route("GET", STATUS, reply(json=video("queued"), headers={"openai-poll-after-ms": "60000"}))
    start = clock.now
    with pytest.raises(WaitTimeout):
        make_client().wait("video_123", timeout=10)
    assert clock.sleeps == [10.0]
    assert clock.now - start == 10.0


def test_wait_raises_job_failed(api: FakeServer, make_client: MakeClient) -> None:
    failed = video(
        "failed",
        progress=None,
        error={"code": "moderation_blocked", "message": "The prompt was refused"},
    )
    api.route("GET", STATUS, reply(json=failed))
    with pytest.raises(JobFailed) as info:
        make_client().wait("video_123")
    job = info.value.job
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.message == "The prompt was refused"
    assert "The prompt was refused" in str(info.value)


def test_on_progress_sees_every_state(api: FakeServer, make_client: MakeClient) -> None:
    api.route(
        "GET",
        STATUS,
        reply(json=video("queued", progress=0)),
        reply(json=video("in_progress", progress=10)),
        reply(json=video("in_progress", progress=70)),
        reply(json=video("completed", progress=100)),
    )
    seen: list[Job] = []
    make_client().wait("video_123", on_progress=seen.append)
    assert [(j.status.value, j.progress) for j in seen] == [
        ("queued", 0),
        ("running", 10),
        ("running", 70),
        ("succeeded", 100),
    ]


def test_unknown_status_keeps_polling(
    api: FakeServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    api.route(
        "GET",
        STATUS,
        reply(json=video("upscaling")),
        reply(json=video("upscaling")),
        reply(json=video("completed")),
    )
    seen: list[Job] = []
    with caplog.at_level(logging.WARNING, logger="vidgen"):
        job = make_client().wait("video_123", on_progress=seen.append)
    assert job.status is JobStatus.SUCCEEDED
    assert [j.status for j in seen] == [JobStatus.UNKNOWN, JobStatus.UNKNOWN, JobStatus.SUCCEEDED]
    warnings = [r for r in caplog.records if "does not know" in r.getMessage()]
    assert len(warnings) == 1  # said once, not on every poll
    assert "upscaling" in warnings[0].getMessage()


def test_wait_on_a_finished_job_sends_nothing(api: FakeServer, make_client: MakeClient) -> None:
    job = finished_job()
    assert make_client().wait(job) is job
    assert api.requests == []
    with pytest.raises(JobFailed):
        make_client().wait(finished_job(status=JobStatus.CANCELLED))


# -- download -------------------------------------------------------------------------------------


def test_download_writes_the_file(api: FakeServer, make_client: MakeClient, tmp_path: Path) -> None:
    api.route("GET", CONTENT, reply(content=b"mp4-bytes", headers={"content-length": "9"}))
    target = tmp_path / "videos" / "out.mp4"
    assert make_client().download(finished_job(), target) == target
    assert target.read_bytes() == b"mp4-bytes"
    assert no_part_files(target.parent)
    assert api.requests[0].url.params["variant"] == "video"


def part_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_download_cut_short_leaves_only_a_resumable_part(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", CONTENT, reply(content=b"short", headers={"content-length": "100"}))
    target = tmp_path / "out.mp4"
    with pytest.raises(TransportError, match="cut short: 5 of 100 bytes arrived"):
        make_client().download(finished_job(), target)
    assert not target.exists()
    parts = part_files(tmp_path)
    assert len(parts) == 1
    assert parts[0].startswith(".out.mp4.")
    # The server ignored every Range request (a 200 each time): each try started over.
    sent_ranges = [r.headers.get("range") for r in api.requests if r.method == "GET"]
    assert sent_ranges[0] is None
    assert all(rng == "bytes=5-" for rng in sent_ranges[1:])
    assert (tmp_path / parts[0]).read_bytes() == b"short"


def test_download_broken_mid_stream_leaves_nothing_under_the_name(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", CONTENT, broken_body())
    target = tmp_path / "out.mp4"
    with pytest.raises(TransportError) as info:
        make_client().download(finished_job(), target)
    assert info.value.request_sent is True
    assert isinstance(info.value.__cause__, httpx.ReadError)
    assert not target.exists()
    assert len(part_files(tmp_path)) == 1  # kept, so a later download resumes
    assert api.count("GET") == vidgen.RetryPolicy().read_attempts  # a read: retried


def test_download_resumes_with_range_after_a_break(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    whole = b"the first part of a video" + b" and the rest of it"
    head = len(b"the first part of a video")

    def ranged(request: httpx.Request) -> httpx.Response:
        assert request.headers["range"] == f"bytes={head}-"
        rest = whole[head:]
        return httpx.Response(
            206,
            content=rest,
            headers={"content-range": f"bytes {head}-{len(whole) - 1}/{len(whole)}"},
        )

    api.route("GET", CONTENT, broken_body(len(whole)), ranged)
    target = tmp_path / "out.mp4"
    client = make_client()
    client.download(finished_job(), target)
    assert target.read_bytes() == whole
    assert part_files(tmp_path) == []


def test_download_falls_back_to_a_full_download_when_range_is_ignored(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    whole = b"the first part of a video, whole this time"
    api.route("GET", CONTENT, broken_body(len(whole)), reply(content=whole))
    target = tmp_path / "out.mp4"
    make_client().download(finished_job(), target)
    assert target.read_bytes() == whole  # not the head twice
    assert part_files(tmp_path) == []


def test_download_retries_a_broken_body_then_succeeds(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", CONTENT, broken_body(), reply(content=b"whole video"))
    target = tmp_path / "out.mp4"
    make_client().download(finished_job(), target)
    assert target.read_bytes() == b"whole video"
    assert no_part_files(tmp_path)


def test_existing_file_is_replaced_only_by_a_complete_download(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"the old video")
    api.route("GET", CONTENT, broken_body())
    with pytest.raises(TransportError):
        make_client().download(finished_job(), target, overwrite=True)
    assert target.read_bytes() == b"the old video"

    api.route("GET", CONTENT, reply(content=b"the new video"))
    make_client().download(finished_job(), target, overwrite=True)
    assert target.read_bytes() == b"the new video"
    assert no_part_files(tmp_path)


def test_expired_content_fails_before_any_http(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    expired = dt.datetime.fromtimestamp(FAKE_NOW - 1, tz=dt.timezone.utc)
    with pytest.raises(ContentExpired, match="expired at"):
        make_client().download(finished_job(expires_at=expired), tmp_path / "out.mp4")
    assert api.requests == []
    assert not (tmp_path / "out.mp4").exists()


def test_gone_is_content_expired(api: FakeServer, make_client: MakeClient, tmp_path: Path) -> None:
    api.route("GET", CONTENT, reply(410, json={"error": {"message": "gone"}}))
    with pytest.raises(ContentExpired) as info:
        make_client().download(finished_job(), tmp_path / "out.mp4")
    assert info.value.status_code == 410
    assert api.count("GET") == 1
    assert not (tmp_path / "out.mp4").exists()


def test_redirect_to_another_host_drops_the_key(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", CONTENT, reply(302, headers={"location": "https://cdn.example.net/v/abc.mp4"}))
    api.route("GET", "/v/abc.mp4", reply(content=b"from the cdn"))
    make_client().download(finished_job(), tmp_path / "out.mp4")
    first, second = api.requests
    assert first.headers["authorization"] == "Bearer sk-test-secret"
    assert second.url.host == "cdn.example.net"
    assert "authorization" not in second.headers
    assert (tmp_path / "out.mp4").read_bytes() == b"from the cdn"


def test_redirect_on_the_same_host_keeps_the_key(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", CONTENT, reply(307, headers={"location": "/v1/files/abc"}))
    api.route("GET", "/v1/files/abc", reply(content=b"same host"))
    make_client().download(finished_job(), tmp_path / "out.mp4")
    second = api.requests[1]
    assert second.url == "https://api.openai.com/v1/files/abc"
    assert second.headers["authorization"] == "Bearer sk-test-secret"


def test_redirect_from_https_to_http_is_refused(
    api: FakeServer, make_client: MakeClient, clock: FakeClock, tmp_path: Path
) -> None:
    api.route("GET", CONTENT, reply(302, headers={"location": "http://cdn.example.net/v.mp4"}))
    with pytest.raises(ProtocolError, match="redirected from https to http; refusing to follow"):
        make_client().download(finished_job(), tmp_path / "out.mp4")
    assert [r.url.scheme for r in api.requests] == ["https"]  # refused, not retried
    assert clock.sleeps == []
    assert not (tmp_path / "out.mp4").exists()


def test_redirect_loop_is_refused(api: FakeServer, make_client: MakeClient, tmp_path: Path) -> None:
    api.route("GET", CONTENT, reply(302, headers={"location": "/v1/videos/video_123/content"}))
    with pytest.raises(ProtocolError, match="redirected more than 5 times"):
        make_client().download(finished_job(), tmp_path / "out.mp4")
    assert api.count("GET") == 6
    assert not (tmp_path / "out.mp4").exists()


def test_download_of_a_running_job(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", STATUS, reply(json=video("in_progress", progress=45)))
    with pytest.raises(UnsupportedRequest) as info:
        make_client().download("video_123", tmp_path / "out.mp4")
    assert "is running (45%), not finished; wait for it first" in str(info.value)
    assert api.count("GET", CONTENT) == 0
    assert not (tmp_path / "out.mp4").exists()


def test_download_by_id_of_a_finished_job(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", STATUS, reply(json=video("completed", progress=100)))
    api.route("GET", CONTENT, reply(content=b"done"))
    make_client().download("video_123", tmp_path / "out.mp4")
    assert (tmp_path / "out.mp4").read_bytes() == b"done"


# -- budget ----------------------------------------------------------------------------------------


def test_over_budget_is_refused_before_any_http(api: FakeServer, make_client: MakeClient) -> None:
    client = make_client(max_job_cost="0.50")
    with pytest.raises(BudgetExceeded) as info:
        client.submit(REQUEST)  # 8 s at $0.10
    assert api.requests == []
    assert info.value.amount == Decimal("0.80")
    assert info.value.limit == Decimal("0.50")
    assert "costs $0.80, over max_job_cost 0.50" in str(info.value)


def test_within_budget_is_sent(api: FakeServer, make_client: MakeClient) -> None:
    api.route("POST", CREATE, reply(json=video()))
    make_client(max_job_cost=Decimal("0.80")).submit(REQUEST)
    assert api.count("POST") == 1


def test_unknown_price_cannot_be_checked_against_a_budget(
    api: FakeServer, make_client: MakeClient
) -> None:
    client = make_client(
        provider="openai-compatible",
        api_key=None,
        base_url="https://relay.example.com/v1",
        models=[{"id": "mystery", "durations": [5], "sizes": ["1280x720"]}],
        max_job_cost="10",
    )
    with pytest.raises(BudgetExceeded, match="no known price"):
        client.submit(VideoRequest(prompt="a fox"))
    assert api.requests == []


def test_budget_from_the_config_file(
    api: FakeServer, make_client: MakeClient, tmp_path: Path
) -> None:
    (tmp_path / "vidgen.toml").write_text(
        '[profiles.sora]\nprovider = "openai"\nmax_job_cost = "0.40"\n'
    )
    client = make_client(provider=None, profile="sora")
    with pytest.raises(BudgetExceeded):
        client.submit(REQUEST)
    assert api.requests == []


# -- the whole job ---------------------------------------------------------------------------------


def test_generate(
    api: FakeServer, make_client: MakeClient, clock: FakeClock, tmp_path: Path
) -> None:
    api.route("POST", CREATE, reply(json=video()))
    api.route(
        "GET",
        STATUS,
        reply(json=video("in_progress", progress=50), headers={"openai-poll-after-ms": "1000"}),
        reply(json=video("completed", progress=100)),
    )
    api.route("GET", CONTENT, reply(content=b"video!"))
    seen: list[Job] = []
    path = make_client().generate(REQUEST, tmp_path / "cat.mp4", on_progress=seen.append)
    assert path.read_bytes() == b"video!"
    assert [j.status for j in seen] == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert [(r.method, r.url.path) for r in api.requests] == [
        ("POST", CREATE),
        ("GET", STATUS),
        ("GET", STATUS),
        ("GET", CONTENT),
    ]
    assert clock.sleeps == [1.0]


def test_missing_key_is_raised_before_any_http(api: FakeServer, make_client: MakeClient) -> None:
    client = make_client(api_key=None)
    assert client.quote(REQUEST).amount == Decimal("0.80")  # no key needed to price it
    with pytest.raises(vidgen.ConfigError, match="no API key for openai: set OPENAI_API_KEY"):
        client.submit(REQUEST)
    assert api.requests == []


def test_client_never_shows_the_key(make_client: MakeClient) -> None:
    client = make_client()
    assert "sk-test-secret" not in repr(client)
    assert "sk-test-secret" not in repr(client.provider)


def test_owned_http_client_is_closed() -> None:
    client = vidgen.Client(provider="openai", api_key="sk-x")
    with client:
        pass
    assert client._http.is_closed
    given = httpx.Client()
    with vidgen.Client(provider="openai", api_key="sk-x", http_client=given):
        pass
    assert not given.is_closed  # not ours to close
    given.close()


class URLOutputs(Provider):
    """A provider whose outputs are URLs on another host (as task APIs return them)."""

    name = "urls"
    default_base_url = "https://api.example.com/v1"

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        url = job.outputs[index].url
        assert url is not None
        return httpx.Request("GET", url, headers=self.headers())


def _url_client(api: FakeServer, clock: FakeClock) -> vidgen.Client:
    return fake_client(api, provider=URLOutputs(api_key="sk-url-secret"), clock=clock, ledger=True)


def test_output_url_on_another_host_gets_no_key(
    api: FakeServer, clock: FakeClock, tmp_path: Path
) -> None:
    api.route("GET", "/out/1.mp4", reply(content=b"cdn video"))
    job = finished_job(provider="urls", outputs=(Output(url="https://cdn.example.net/out/1.mp4"),))
    _url_client(api, clock).download(job, tmp_path / "out.mp4")
    (sent,) = api.requests
    assert sent.url.host == "cdn.example.net"
    assert "authorization" not in sent.headers
    assert (tmp_path / "out.mp4").read_bytes() == b"cdn video"


def test_plain_http_output_url_is_refused(
    api: FakeServer, clock: FakeClock, tmp_path: Path
) -> None:
    job = finished_job(provider="urls", outputs=(Output(url="http://cdn.example.net/out/1.mp4"),))
    with pytest.raises(ProtocolError, match="not https"):
        _url_client(api, clock).download(job, tmp_path / "out.mp4")
    assert api.requests == []


@pytest.mark.parametrize("follow", [False, True])
def test_redirects_are_vidgens_even_with_a_following_http_client(
    api: FakeServer, clock: FakeClock, tmp_path: Path, follow: bool
) -> None:
    # httpx drops only Authorization on a cross-host redirect; vidgen must follow redirects
    # itself, whatever the http_client passed in was configured to do.
    api.route(
        "GET", "/v1/jobs/j1/video", reply(302, headers={"location": "https://cdn.example.net/v"})
    )
    api.route("GET", "/v", reply(content=b"video"))
    client = vidgen.Client(
        provider=KeyHeader(api_key="key-must-stay-home"),
        clock=clock,
        sleep=clock.sleep,
        http_client=httpx.Client(transport=api.transport(), follow_redirects=follow),
    )
    client.download(finished_job(id="j1", provider="keyheader"), tmp_path / "out.mp4")
    first, second = api.requests
    assert first.headers["api-key"] == "key-must-stay-home"
    assert second.url.host == "cdn.example.net"
    assert "api-key" not in second.headers


def test_a_terse_status_answer_keeps_what_the_job_already_had(
    api: FakeServer, make_client: MakeClient
) -> None:
    """Many vendors' status reads name neither model, length nor size: the core keeps
    them from the state before, and never mixes in another job's fields."""
    terse = {"id": "video_123", "object": "video", "status": "in_progress", "progress": 5}
    api.route("POST", CREATE, reply(json=video()))
    api.route("GET", STATUS, reply(json=terse))
    client = make_client()
    job = client.submit(REQUEST)
    seen = client.get(job)
    assert seen.status is JobStatus.RUNNING
    assert (seen.model, seen.seconds, seen.size) == ("sora-2", 8, "1280x720")
    assert seen.created_at == job.created_at
    # known by id alone, nothing to carry: the answer stands as it is
    bare = client.get("video_123")
    assert (bare.model, bare.seconds, bare.size) == (None, None, None)
