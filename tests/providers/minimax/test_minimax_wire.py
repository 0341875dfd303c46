"""The sans-IO part of the minimax provider: V2 on the shared content-array protocol, V1 with
its base_resp envelope and its two-step download, and the region setting."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from minimax_payloads import (
    API,
    CHALLENGE,
    KEY,
    STORAGE_HOST,
    V1_CALLBACK,
    V1_CREATE_BODY,
    V1_CREATED,
    V1_DOWNLOAD_URL,
    V1_FAIL,
    V1_FILE,
    V1_FILE_DATE,
    V1_FILE_ID,
    V1_PREPARING,
    V1_PROCESSING,
    V1_QUEUEING,
    V1_REQUEST,
    V1_SUCCESS,
    V1_TASK_ID,
    V2_CANCELLED,
    V2_CREATE_BODY,
    V2_CREATED,
    V2_DELETE_URL,
    V2_DELETED,
    V2_FAILED,
    V2_IMAGE_BODY,
    V2_IMAGE_PROMPT,
    V2_IMAGE_URL,
    V2_PAGE,
    V2_QUERY_URL,
    V2_QUEUED,
    V2_REQUEST,
    V2_RUNNING,
    V2_SUCCEEDED,
    V2_TASK_ID,
    V2_VIDEO_URL,
    base_resp,
    v2_task,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response, png_bytes

UTC = dt.timezone.utc
CONTEXT = "vidgen_minimax"


@pytest.fixture
def provider() -> Provider:
    return vidgen.get_provider("minimax", api_key=KEY)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def build(provider: Provider, **fields: Any) -> httpx.Request:
    fields.setdefault("prompt", "a calm sea")
    return provider.build_submit(provider.fit(vidgen.VideoRequest(**fields)))


def answer(body: Any, url: str = V2_QUERY_URL, status: int = 200, **headers: str) -> httpx.Response:
    return make_response(status, json=body, headers=headers, url=url)


def reply_to(request: httpx.Request, body: Any, **headers: str) -> httpx.Response:
    """The answer to a request vidgen built (its extensions come back with it)."""
    return httpx.Response(200, json=body, headers=headers, request=request)


# -- settings -----------------------------------------------------------------------------------


def test_regions_and_base_url() -> None:
    assert vidgen.get_provider("minimax", api_key=KEY).base_url == "https://api.minimax.io"
    mainland = vidgen.get_provider("minimax", api_key=KEY, region="mainland")
    assert (mainland.base_url, mainland.region) == ("https://api.minimaxi.com", "mainland")  # type: ignore[attr-defined]
    by_host = vidgen.get_provider("minimax", api_key=KEY, base_url="https://api.minimaxi.com")
    assert by_host.region == "mainland"  # type: ignore[attr-defined]
    assert vidgen.get_provider("minimax", api_key=KEY).key_env == "MINIMAX_API_KEY"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"region": "eu"}, "region"),
        ({"base_url": "https://api.minimax.io/v1"}, "without /v1"),
        ({"watermark": "no"}, "watermark"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(vidgen.ConfigError, match=message):
        vidgen.get_provider("minimax", api_key=KEY, **settings)


def test_mainland_quotes_have_no_usd_price() -> None:
    provider = vidgen.get_provider("minimax", api_key=KEY, region="mainland")
    quote = provider.quote(provider.fit(V2_REQUEST))
    assert quote.amount is None
    assert any("CNY" in note for note in provider.catalog.get("MiniMax-H3").notes)  # type: ignore[union-attr]


def test_a_model_without_wire_api_is_a_config_error() -> None:
    provider = vidgen.get_provider(
        "minimax", api_key=KEY, models=[{"id": "MiniMax-H3", "wire": {"api": "v3"}}]
    )
    with pytest.raises(vidgen.ConfigError, match=r"wire\.api"):
        provider.build_submit(provider.fit(V2_REQUEST))


# -- V2 requests ----------------------------------------------------------------------------------


def test_v2_text_to_video_is_the_documented_example(provider: Provider) -> None:
    request = provider.build_submit(provider.fit(V2_REQUEST))
    assert (request.method, str(request.url)) == ("POST", f"{API}/v2/video_generation")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert body_of(request) == V2_CREATE_BODY


def test_v2_image_to_video_sends_adaptive(provider: Provider) -> None:
    request = build(
        provider,
        prompt=V2_IMAGE_PROMPT,
        model="hailuo-3",
        duration=5,
        resolution="1440p",
        aspect="16:9",
        reference=vidgen.Reference.from_url(V2_IMAGE_URL),
    )
    assert body_of(request) == V2_IMAGE_BODY


def test_v2_frames_references_and_ratios(provider: Provider) -> None:
    last = vidgen.Reference.from_bytes(png_bytes(1344, 768), filename="end.png")
    body = body_of(build(provider, model="MiniMax-H3", last_frame=last))
    assert body["content"][1]["role"] == "last_frame"  # V2 takes a last frame alone
    assert body["ratio"] == "adaptive"
    refs = [vidgen.Reference.from_url(f"https://example.com/{i}.png") for i in range(2)]
    body = body_of(build(provider, model="MiniMax-H3", references=refs, aspect="21:9"))
    assert [c.get("role") for c in body["content"]] == [None, "reference_image", "reference_image"]
    assert body["ratio"] == "21:9"
    with pytest.raises(vidgen.UnsupportedRequest, match="cannot be mixed"):
        build(provider, model="MiniMax-H3", references=refs, reference=refs[0])


def test_v2_watermark_and_callback(provider: Provider) -> None:
    marked = vidgen.get_provider("minimax", api_key=KEY, watermark=True)
    body = body_of(build(marked, model="MiniMax-H3", callback_url="https://hooks.example.com/mm"))
    assert body["aigc_watermark"] is True
    assert body["callback_url"] == "https://hooks.example.com/mm"
    assert "aigc_watermark" not in body_of(build(provider, model="MiniMax-H3"))


def test_v2_status_cancel_delete_and_list_requests(provider: Provider) -> None:
    job = provider.parse_submit(answer(V2_CREATED, url=f"{API}/v2/video_generation"))
    job = vidgen.Job(id=job.id, provider="minimax", model="MiniMax-H3", status=JobStatus.QUEUED)
    assert str(provider.build_status(job).url) == V2_QUERY_URL
    cancel = provider.build_cancel(job)
    assert (cancel.method, str(cancel.url)) == ("DELETE", V2_DELETE_URL)
    assert str(provider.build_delete(job).url) == V2_DELETE_URL
    listing = provider.build_list(limit=4)
    assert str(listing.url) == f"{API}/v2/query/video_generation?page_num=1&page_size=4"


def test_a_bare_id_is_read_on_v2(provider: Provider) -> None:
    assert provider.build_status(provider.job_ref(V2_TASK_ID)).url.path == (
        f"/v2/query/video_generation/{V2_TASK_ID}"
    )


# -- V2 responses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (V2_QUEUED, JobStatus.QUEUED),
        (V2_RUNNING, JobStatus.RUNNING),
        (V2_SUCCEEDED, JobStatus.SUCCEEDED),
        (V2_FAILED, JobStatus.FAILED),
        (V2_CANCELLED, JobStatus.CANCELLED),
        (v2_task("expired"), JobStatus.FAILED),
        (v2_task("paused"), JobStatus.UNKNOWN),
    ],
    ids=["queued", "running", "succeeded", "failed", "cancelled", "expired", "unseen"],
)
def test_v2_statuses(provider: Provider, body: Any, status: JobStatus) -> None:
    assert provider.parse_status(answer(body)).status is status


def test_v2_the_documented_succeeded_task(provider: Provider) -> None:
    job = provider.parse_status(answer(V2_SUCCEEDED, **{"trace-id": "t-1"}))
    assert (job.id, job.model, job.seconds, job.size) == (V2_TASK_ID, "MiniMax-H3", 5, "2560x1440")
    assert [o.url for o in job.outputs] == [V2_VIDEO_URL]
    assert job.expires_at is None  # "time-limited", lifetime not documented
    assert job.completed_at == dt.datetime.fromtimestamp(1785125946, UTC)
    assert job.usage is not None
    assert job.usage.seconds == 5
    assert "5 s of output" in (job.usage.note or "")
    assert job.request_id == "t-1"
    download = provider.build_download(job)
    assert (download.url.host, "authorization" in download.headers) == (STORAGE_HOST, False)


def test_v2_the_documented_failed_task(provider: Provider) -> None:
    job = provider.parse_status(answer(V2_FAILED))
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == ("content_policy", "1026")
    assert job.error.message == "video description contains sensitive content"


def test_v2_create_list_and_delete_answers(provider: Provider) -> None:
    job = provider.parse_submit(answer(V2_CREATED, url=f"{API}/v2/video_generation"))
    assert (job.id, job.status) == (V2_TASK_ID, JobStatus.QUEUED)
    page = provider.parse_list(
        answer(V2_PAGE, url=f"{API}/v2/query/video_generation?page_num=1&page_size=4")
    )
    assert [j.status for j in page.jobs] == [JobStatus.SUCCEEDED, JobStatus.FAILED]
    assert page.next_cursor is None
    assert provider.parse_cancel(answer(V2_DELETED, url=V2_DELETE_URL), job) is None


def test_v2_cancel_refuses_a_finished_job(provider: Provider) -> None:
    done = provider.parse_status(answer(V2_SUCCEEDED))
    with pytest.raises(vidgen.UnsupportedRequest, match="delete"):
        provider.build_cancel(done)


# -- V1 requests ---------------------------------------------------------------------------------


def test_v1_create_body(provider: Provider) -> None:
    request = provider.build_submit(provider.fit(V1_REQUEST))
    assert (request.method, str(request.url)) == ("POST", f"{API}/v1/video_generation")
    assert body_of(request) == V1_CREATE_BODY


def test_v1_frames_are_data_urls_or_urls(provider: Provider) -> None:
    first = vidgen.Reference.from_bytes(png_bytes(1280, 720), filename="first.png")
    last = vidgen.Reference.from_url("https://example.com/last.png")
    body = body_of(build(provider, model="MiniMax-Hailuo-02", reference=first, last_frame=last))
    assert body["first_frame_image"].startswith("data:image/png;base64,")
    assert body["last_frame_image"] == "https://example.com/last.png"
    assert "content" not in body
    with pytest.raises(vidgen.UnsupportedRequest):
        build(provider, model="MiniMax-Hailuo-2.3", reference=first, last_frame=last)


def test_v1_status_reads_the_query_then_the_file(provider: Provider) -> None:
    submitted = provider.parse_submit(answer(V1_CREATED, url=f"{API}/v1/video_generation"))
    job = vidgen.Job(id=submitted.id, provider="minimax", model="MiniMax-Hailuo-2.3")
    query = provider.build_status(job)
    assert str(query.url) == f"{API}/v1/query/video_generation?task_id={V1_TASK_ID}"
    assert query.extensions[CONTEXT]["task_id"] == V1_TASK_ID

    rendered = provider.parse_status(reply_to(query, V1_SUCCESS))
    assert rendered.status is JobStatus.RUNNING  # done rendering; the URL is one read away
    assert (rendered.model, rendered.size) == ("MiniMax-Hailuo-2.3", "1920x1080")
    assert [(o.ref, o.url) for o in rendered.outputs] == [(V1_FILE_ID, None)]
    assert provider.poll_hint(reply_to(query, V1_SUCCESS)) == 0.0

    retrieve = provider.build_status(rendered)
    assert str(retrieve.url) == f"{API}/v1/files/retrieve?file_id={V1_FILE_ID}"
    assert retrieve.headers["authorization"] == f"Bearer {KEY}"
    done = provider.parse_status(reply_to(retrieve, V1_FILE, date=V1_FILE_DATE))
    assert (done.id, done.status, done.model, done.size) == (
        V1_TASK_ID,
        JobStatus.SUCCEEDED,
        "MiniMax-Hailuo-2.3",
        "1920x1080",
    )
    answered = dt.datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert done.expires_at == answered + dt.timedelta(hours=1)
    assert [(o.url, o.ref) for o in done.outputs] == [(V1_DOWNLOAD_URL, V1_FILE_ID)]
    assert str(provider.build_download(done).url) == V1_DOWNLOAD_URL
    assert "authorization" not in provider.build_download(done).headers
    # A later read asks for the file again: a fresh download URL.
    assert provider.build_status(done).url.path == "/v1/files/retrieve"


def test_v1_a_file_answer_without_its_request_is_refused(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError, match="names no task"):
        provider.parse_status(answer(V1_FILE, url=f"{API}/v1/files/retrieve"))


def test_v1_without_a_date_the_url_lifetime_is_unknown(provider: Provider) -> None:
    job = vidgen.Job(
        id=V1_TASK_ID,
        provider="minimax",
        model="MiniMax-Hailuo-2.3",
        status=JobStatus.RUNNING,
        outputs=(vidgen.Output(ref=V1_FILE_ID),),
    )
    done = provider.parse_status(reply_to(provider.build_status(job), V1_FILE))
    assert (done.status, done.expires_at) == (JobStatus.SUCCEEDED, None)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (V1_PREPARING, JobStatus.QUEUED),
        (V1_QUEUEING, JobStatus.QUEUED),
        (V1_PROCESSING, JobStatus.RUNNING),
        (V1_SUCCESS, JobStatus.RUNNING),
        (V1_FAIL, JobStatus.FAILED),
        ({**V1_PROCESSING, "status": "Paused"}, JobStatus.UNKNOWN),
    ],
    ids=["Preparing", "Queueing", "Processing", "Success", "Fail", "unseen"],
)
def test_v1_statuses(provider: Provider, body: Any, status: JobStatus) -> None:
    job = provider.parse_status(answer(body, url=f"{API}/v1/query/video_generation"))
    assert (job.id, job.status) == (V1_TASK_ID, status)


def test_v1_a_failed_task_says_why(provider: Provider) -> None:
    job = provider.parse_status(answer(V1_FAIL, url=f"{API}/v1/query/video_generation"))
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == ("content_policy", "1027")
    plain = provider.parse_status(
        answer({**V1_PROCESSING, "status": "Fail"}, url=f"{API}/v1/query/video_generation")
    )
    assert plain.error is not None
    assert plain.error.code == "generation_failed"


def test_v1_a_transient_base_resp_keeps_the_job_polling(provider: Provider) -> None:
    job = vidgen.Job(id=V1_TASK_ID, provider="minimax", model="MiniMax-Hailuo-2.3")
    request = provider.build_status(job)
    hiccup = provider.parse_status(reply_to(request, base_resp(1002, "rate limit")))
    assert (hiccup.id, hiccup.status, hiccup.model) == (
        V1_TASK_ID,
        JobStatus.UNKNOWN,
        "MiniMax-Hailuo-2.3",
    )
    with pytest.raises(vidgen.AuthenticationError):
        provider.parse_status(reply_to(request, base_resp(1004, "authentication failed")))


def test_v1_jobs_cannot_be_cancelled_or_deleted(provider: Provider) -> None:
    job = vidgen.Job(id=V1_TASK_ID, provider="minimax", model="MiniMax-Hailuo-2.3")
    for build_request in (provider.build_cancel, provider.build_delete):
        with pytest.raises(vidgen.UnsupportedRequest, match="V1"):
            build_request(job)


def test_v1_raw_answers_say_which_api_a_job_is_on(provider: Provider) -> None:
    job = provider.parse_status(answer(V1_PROCESSING, url=f"{API}/v1/query/video_generation"))
    assert job.model is None  # the query does not name it
    assert provider.build_status(job).url.path == "/v1/query/video_generation"


@pytest.mark.parametrize(
    "body",
    [
        {"status": "Processing", "base_resp": {"status_code": 0}},
        {"task_id": ["x"], "status": "Processing"},
        {"task_id": "x\x00", "status": "Processing"},
        {"task_id": V1_TASK_ID, "status": "Success", "file_id": {"id": 1}},
        {"task_id": V1_TASK_ID, "base_resp": {"status_code": "zero"}},
        [],
    ],
)
def test_v1_an_unreadable_query_is_a_protocol_error(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(answer(body, url=f"{API}/v1/query/video_generation"))


# -- callbacks -----------------------------------------------------------------------------------


def test_callbacks_v2_v1_and_the_challenge(provider: Provider) -> None:
    v2 = provider.parse_callback({}, json.dumps(V2_SUCCEEDED).encode())
    assert (v2.id, v2.status) == (V2_TASK_ID, JobStatus.SUCCEEDED)
    v1 = provider.parse_callback({}, json.dumps(V1_CALLBACK).encode())
    # The V1 hint carries no file_id: the client reads the task from the API.
    assert (v1.id, v1.status, v1.outputs) == (V1_TASK_ID, JobStatus.RUNNING, ())
    assert provider.build_status(v1).url.path == "/v1/query/video_generation"
    with pytest.raises(vidgen.ProtocolError, match="challenge_answer"):
        provider.parse_callback({}, json.dumps(CHALLENGE).encode())


def test_challenge_answer() -> None:
    from vidgen_minimax import challenge_answer

    assert json.loads(challenge_answer(json.dumps(CHALLENGE)) or b"") == CHALLENGE
    assert challenge_answer(CHALLENGE) == json.dumps(CHALLENGE).encode()
    for other in (json.dumps(V2_SUCCEEDED), b"not json", {"challenge": "x", "task": {}}, "[]"):
        assert challenge_answer(other) is None
