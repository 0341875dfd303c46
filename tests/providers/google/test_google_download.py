"""Downloads: the key goes only to Google's own origin, as a header; a bucket or an inline
video is refused with a way forward; a video past Google's 2-day retention is expired."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from google_payloads import (
    GEMINI,
    GEMINI_HOST,
    KEY,
    OMNI_DONE_INLINE,
    VEO_DONE,
    VEO_FILE_1,
    VEO_FILE_2,
    VERTEX_DONE_GCS,
    VERTEX_DONE_INLINE,
)

import vidgen
from vidgen.testing import FakeClock, FakeServer, fake_client, make_response, reply
from vidgen_google import GoogleProvider, GoogleVertexProvider

#: Just after the finished operation in VEO_DONE (2026-11-30T10:01:30Z).
AFTER = dt.datetime(2026, 11, 30, 10, 5, tzinfo=dt.timezone.utc).timestamp()


def veo_done(gemini: vidgen.provider.Provider) -> vidgen.Job:
    return gemini.parse_status(make_response(200, json=VEO_DONE, url=f"{GEMINI}/x"))


def test_a_download_on_googles_origin_carries_the_key_as_a_header(gemini: GoogleProvider) -> None:
    job = veo_done(gemini)
    for index, url in ((0, VEO_FILE_1), (1, VEO_FILE_2)):
        request = gemini.build_download(job, index)
        assert str(request.url) == url
        assert request.headers["x-goog-api-key"] == KEY
        assert "key=" not in str(request.url)


def test_a_url_on_another_host_gets_no_key(gemini: GoogleProvider) -> None:
    job = vidgen.Job(
        id="models/veo/operations/x",
        provider="google",
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=[vidgen.Output(url="https://storage.googleapis.com/bucket/v.mp4")],
    )
    request = gemini.build_download(job)
    assert "x-goog-api-key" not in request.headers
    assert KEY not in repr(request.headers)


def test_the_client_sends_the_key_to_google_and_drops_it_on_a_redirect(tmp_path: Path) -> None:
    """Google's file download may redirect to a storage host: the key stays behind."""
    server = FakeServer()
    server.on(
        "GET",
        f"https://{GEMINI_HOST}/v1beta/files/3m1v0k2qz8ab:download",
        reply(
            302, headers={"location": "https://video-downloads.googleusercontent.com/v/abc?sig=x1"}
        ),
    )
    server.on("GET", "https://video-downloads.googleusercontent.com/v/abc", reply(content=b"mp4"))
    clock = FakeClock(start=AFTER)
    client = fake_client(server, provider="google", api_key=KEY, clock=clock)
    job = veo_done(vidgen.get_provider("google", api_key=KEY))
    path = client.download(job, tmp_path / "out.mp4")
    assert path.read_bytes() == b"mp4"
    google, storage = server.requests
    assert google.headers["x-goog-api-key"] == KEY
    assert "x-goog-api-key" not in storage.headers
    assert all(KEY not in str(r.url) for r in server.requests)


def test_a_video_past_two_days_is_expired_before_any_request(tmp_path: Path) -> None:
    server = FakeServer()
    clock = FakeClock(start=AFTER + 3 * 86400)
    client = fake_client(server, provider="google", api_key=KEY, clock=clock)
    job = veo_done(vidgen.get_provider("google", api_key=KEY))
    with pytest.raises(vidgen.ContentExpired):
        client.download(job, tmp_path / "late.mp4")
    assert server.requests == []


def test_an_index_that_does_not_exist_is_refused(gemini: GoogleProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        gemini.build_download(veo_done(gemini), 2)
    assert caught.value.supported == (0, 1)
    with pytest.raises(vidgen.UnsupportedRequest):
        gemini.build_download(veo_done(gemini), 0, variant="thumbnail")


def test_an_inline_omni_video_is_refused_with_the_way_around(gemini: GoogleProvider) -> None:
    job = gemini.parse_status(make_response(200, json=OMNI_DONE_INLINE))
    with pytest.raises(vidgen.UnsupportedRequest, match=r"wire\.delivery = 'uri'"):
        gemini.build_download(job)


def test_an_inline_vertex_video_is_refused_naming_storage_uri(vertex: GoogleVertexProvider) -> None:
    job = vertex.parse_status(make_response(200, json=VERTEX_DONE_INLINE))
    with pytest.raises(vidgen.UnsupportedRequest, match="storage_uri"):
        vertex.build_download(job)


def test_a_bucket_output_is_refused_naming_the_object(vertex: GoogleVertexProvider) -> None:
    job = vertex.parse_status(make_response(200, json=VERTEX_DONE_GCS))
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        vertex.build_download(job)
    assert "gcloud storage cp gs://vidgen-test-bucket/veo/1744562938/sample_0.mp4" in str(
        caught.value
    )


def test_a_plain_http_output_is_refused(gemini: GoogleProvider) -> None:
    job = vidgen.Job(
        id="x",
        provider="google",
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=[vidgen.Output(url="http://generativelanguage.googleapis.com/v1beta/files/a")],
    )
    with pytest.raises(vidgen.ProtocolError):
        gemini.build_download(job)


def test_a_404_past_retention_is_content_expired(gemini: GoogleProvider) -> None:
    job = veo_done(gemini)
    assert job.expires_at is not None
    later = job.expires_at + dt.timedelta(hours=1)
    error = gemini.parse_download_error(
        make_response(
            404, json={"error": {"code": 404, "message": "File not found", "status": "NOT_FOUND"}}
        ),
        job,
        later,
    )
    assert isinstance(error, vidgen.ContentExpired)


def test_build_download_needs_no_network(gemini: GoogleProvider) -> None:
    request = gemini.build_download(veo_done(gemini))
    assert isinstance(request, httpx.Request)
