"""The OpenAI ``/v1/videos`` protocol, spoken over plain HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from emulator_support import LATER, SMALL, create_video, error_of, png

from vidgen.emulator import Emulator, ModelProfile
from vidgen.media import probe_video
from vidgen.testing import FakeClock


def test_a_job_goes_from_queued_to_completed_on_the_emulator_clock(
    http: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    video = create_video(http, seconds="2")
    assert video["object"] == "video"
    assert video["id"].startswith("video_")
    assert (video["status"], video["progress"]) == ("queued", 0)
    assert (video["seconds"], video["size"], video["model"]) == ("2", "160x90", "sora-2")
    assert video["completed_at"] is None
    assert video["error"] is None

    seen = []
    for _ in range(8):  # queued 2 s, then 4 s of rendering (2 + 1 per video second)
        emu_clock.advance(0.9)
        answer = http.get(f"/v1/videos/{video['id']}")
        seen.append((answer.json()["status"], answer.json()["progress"]))
        assert answer.headers["openai-poll-after-ms"] == "1000"
    statuses = [status for status, _ in seen]
    assert statuses[:2] == ["queued", "queued"]
    assert "in_progress" in statuses
    assert statuses[-1] == "completed"
    progress = [p for status, p in seen if status == "in_progress"]
    assert progress == sorted(progress)
    assert len(set(progress)) > 1
    assert all(0 <= p < 100 for p in progress)
    done = http.get(f"/v1/videos/{video['id']}").json()
    assert done["progress"] == 100
    assert done["completed_at"] == int(video["created_at"] + 6)
    assert done["expires_at"] == done["completed_at"] + 3600
    assert emulator.stats().polls == {video["id"]: 9}


def test_download_is_a_real_video_of_the_requested_size(
    http: httpx.Client, emu_clock: FakeClock, tmp_path: Path
) -> None:
    video = create_video(http, seconds="2", size="192x108")
    emu_clock.advance(LATER)
    answer = http.get(f"/v1/videos/{video['id']}/content")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "video/mp4"
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert answer.headers["accept-ranges"] == "bytes"
    path = tmp_path / "v.mp4"
    path.write_bytes(answer.content)
    info = probe_video(path)
    assert (info.width, info.height, info.codec) == (192, 108, "h264")
    assert abs(info.duration - 2.0) < 1 / 24
    assert info.has_audio  # sora-2 has audio in the model table
    # The same bytes every time (rendered once, then cached).
    assert http.get(f"/v1/videos/{video['id']}/content?variant=video").content == answer.content


def test_thumbnail_and_spritesheet(http: httpx.Client, emu_clock: FakeClock) -> None:
    video = create_video(http)
    emu_clock.advance(LATER)
    thumbnail = http.get(f"/v1/videos/{video['id']}/content", params={"variant": "thumbnail"})
    assert thumbnail.headers["content-type"] == "image/webp"
    assert thumbnail.content[:4] == b"RIFF"
    assert thumbnail.content[8:12] == b"WEBP"
    sheet = http.get(f"/v1/videos/{video['id']}/content", params={"variant": "spritesheet"})
    assert sheet.headers["content-type"] == "image/jpeg"
    assert sheet.content[:3] == b"\xff\xd8\xff"
    bad = http.get(f"/v1/videos/{video['id']}/content", params={"variant": "gif"})
    assert bad.status_code == 400
    assert error_of(bad)["param"] == "variant"


def test_range_requests_resume_a_download(http: httpx.Client, emu_clock: FakeClock) -> None:
    video = create_video(http)
    emu_clock.advance(LATER)
    whole = http.get(f"/v1/videos/{video['id']}/content").content
    tail = http.get(f"/v1/videos/{video['id']}/content", headers={"Range": "bytes=1000-"})
    assert tail.status_code == 206
    assert tail.headers["content-range"] == f"bytes 1000-{len(whole) - 1}/{len(whole)}"
    assert whole[:1000] + tail.content == whole
    middle = http.get(f"/v1/videos/{video['id']}/content", headers={"Range": "bytes=10-19"})
    assert (middle.status_code, middle.content) == (206, whole[10:20])
    past = http.get(f"/v1/videos/{video['id']}/content", headers={"Range": f"bytes={len(whole)}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(whole)}"


def test_content_before_completion_is_an_error(http: httpx.Client) -> None:
    video = create_video(http)
    answer = http.get(f"/v1/videos/{video['id']}/content")
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "video_not_ready"


def test_multipart_create_with_a_reference_image(http: httpx.Client) -> None:
    form = {"prompt": "she turns around", "model": "sora-2", "seconds": "1", "size": "160x90"}
    answer = http.post(
        "/v1/videos", data=form, files={"input_reference": ("first.png", png(160, 90), "image/png")}
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["size"], answer.json()["seconds"]) == ("160x90", "1")

    wrong = http.post(
        "/v1/videos", data=form, files={"input_reference": ("first.png", png(64, 64), "image/png")}
    )
    assert wrong.status_code == 400
    assert error_of(wrong) == {
        "message": "Inpaint image must match the requested width and height",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    text = http.post(
        "/v1/videos", data=form, files={"input_reference": ("a.txt", b"hello", "text/plain")}
    )
    assert text.status_code == 400
    assert error_of(text)["param"] == "input_reference"


def test_json_reference_must_be_an_object(http: httpx.Client) -> None:
    ok = http.post(
        "/v1/videos", json={**SMALL, "input_reference": {"image_url": "https://x.test/a.png"}}
    )
    assert ok.status_code == 200
    answer = http.post("/v1/videos", json={**SMALL, "input_reference": "https://x.test/a.png"})
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "invalid_type"
    both = http.post(
        "/v1/videos", json={**SMALL, "input_reference": {"image_url": "u", "file_id": "f"}}
    )
    assert error_of(both)["param"] == "input_reference"


@pytest.mark.parametrize(
    ("fields", "param", "code", "message"),
    [
        (
            {"seconds": 4},
            "seconds",
            "invalid_type",
            "Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead.",
        ),
        ({"seconds": "0"}, "seconds", "invalid_value", None),
        ({"seconds": "ten"}, "seconds", "invalid_value", None),
        ({"size": "1280*720"}, "size", "invalid_value", None),
        ({"size": "161x90"}, "size", "invalid_value", None),
        ({"size": "8x8"}, "size", "invalid_value", None),
        (
            {"prompt": ""},
            "prompt",
            "missing_required_parameter",
            "Missing required parameter: 'prompt'.",
        ),
        ({"model": 7}, "model", "invalid_type", None),
        ({"prompt": "x" * 32_001}, "prompt", "invalid_value", None),
    ],
)
def test_create_is_validated_like_openai(
    http: httpx.Client, fields: dict[str, object], param: str, code: str, message: str | None
) -> None:
    answer = http.post("/v1/videos", json={**SMALL, **fields})
    assert answer.status_code == 400
    error = error_of(answer)
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")
    if message is not None:
        assert error["message"] == message


def test_bad_bodies_get_error_json_not_a_traceback(http: httpx.Client, emulator: Emulator) -> None:
    for content, kind in [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"prompt=x", "text/plain"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
    ]:
        answer = http.post("/v1/videos", content=content, headers={"content-type": kind})
        assert answer.status_code == 400, content
        assert error_of(answer)["type"] == "invalid_request_error"
        assert "Traceback" not in answer.text
    assert emulator.stats().submits == {}
    assert emulator.stats().submit_attempts == {"openai": 4}


def test_unknown_paths_and_ids_are_404_json(http: httpx.Client) -> None:
    for method, path in [
        ("GET", "/v1/videos/video_nope"),
        ("DELETE", "/v1/videos/video_nope"),
        ("GET", "/v1/videos/video_nope/content"),
        ("PATCH", "/v1/videos"),
        ("GET", "/v2/whatever"),
        ("GET", "/"),
    ]:
        answer = http.request(method, path)
        assert answer.status_code == 404, (method, path)
        assert error_of(answer)["message"]
        assert answer.headers["x-request-id"].startswith("req_")


def test_every_answer_has_a_request_id(http: httpx.Client) -> None:
    ids = {
        http.post("/v1/videos", json=SMALL).headers["x-request-id"],
        http.get("/v1/videos").headers["x-request-id"],
        http.post("/v1/videos", json={"seconds": 4}).headers["x-request-id"],
    }
    assert len(ids) == 3


def test_list_pages_with_after_and_order(http: httpx.Client, emulator: Emulator) -> None:
    with Emulator(protocols=["openai"]) as own, httpx.Client(base_url=own.url) as client:
        made = [create_video(client, prompt=f"clip {n}")["id"] for n in range(5)]
        page = client.get("/v1/videos", params={"limit": 2}).json()
        assert page["object"] == "list"
        assert [v["id"] for v in page["data"]] == made[::-1][:2]
        assert (page["first_id"], page["last_id"], page["has_more"]) == (made[4], made[3], True)
        rest = client.get("/v1/videos", params={"limit": 10, "after": page["last_id"]}).json()
        assert [v["id"] for v in rest["data"]] == made[::-1][2:]
        assert rest["has_more"] is False
        ascending = client.get("/v1/videos", params={"order": "asc", "limit": 5}).json()
        assert [v["id"] for v in ascending["data"]] == made
        assert client.get("/v1/videos", params={"limit": 101}).status_code == 400
        assert client.get("/v1/videos", params={"order": "up"}).status_code == 400
        assert own.stats().lists == 5


def test_delete(http: httpx.Client) -> None:
    video = create_video(http)
    answer = http.delete(f"/v1/videos/{video['id']}")
    assert answer.json() == {"id": video["id"], "object": "video.deleted", "deleted": True}
    assert http.get(f"/v1/videos/{video['id']}").status_code == 404


def test_api_key_is_required_when_configured() -> None:
    with Emulator(protocols=["openai"], api_key="sk-emulated") as emulator:
        with httpx.Client(base_url=emulator.url) as client:
            missing = client.post("/v1/videos", json=SMALL)
            assert missing.status_code == 401
            assert error_of(missing)["code"] == "invalid_api_key"
            wrong = client.post(
                "/v1/videos", json=SMALL, headers={"Authorization": "Bearer sk-other"}
            )
            assert wrong.status_code == 401
            right = client.post(
                "/v1/videos", json=SMALL, headers={"Authorization": "Bearer sk-emulated"}
            )
            assert right.status_code == 200
            # Protocols that are not spoken are not there at all.
            assert client.post("/aivideoapi/v1/videos/generations", json={}).status_code == 404
        assert emulator.stats().submits == {"openai": 1}


def test_model_table_restricts_durations_and_sizes_and_sets_audio(tmp_path: Path) -> None:
    models = {"silent-1": ModelProfile(audio=False, fps=12, durations=[2], sizes=["128x72"])}
    clock = FakeClock()
    with (
        Emulator(protocols=["openai"], models=models, clock=clock) as emulator,
        httpx.Client(base_url=emulator.url) as client,
    ):
        bad = client.post(
            "/v1/videos",
            json={"prompt": "p", "model": "silent-1", "seconds": "4", "size": "128x72"},
        )
        assert error_of(bad)["message"] == "Invalid value: '4'. Supported values are: '2'."
        bad = client.post(
            "/v1/videos",
            json={"prompt": "p", "model": "silent-1", "seconds": "2", "size": "160x90"},
        )
        assert error_of(bad)["param"] == "size"
        video = create_video(client, model="silent-1", seconds="2", size="128x72")
        clock.advance(LATER)
        path = tmp_path / "silent.mp4"
        path.write_bytes(client.get(f"/v1/videos/{video['id']}/content").content)
    info = probe_video(path)
    assert (info.width, info.height, info.fps, info.frames, info.has_audio) == (
        128,
        72,
        12.0,
        24,
        False,
    )


def test_azure_v1_videos_path_speaks_the_same_protocol(
    emu_clock: FakeClock, emulator: Emulator
) -> None:
    with httpx.Client(base_url=emulator.base_url("azure"), headers={"api-key": "k"}) as client:
        answer = client.post("/videos", json=SMALL)
        assert answer.status_code == 200
        assert "apim-request-id" in answer.headers
        video = answer.json()
        emu_clock.advance(LATER)
        assert client.get(f"/videos/{video['id']}").json()["status"] == "completed"
        assert client.get(f"/videos/{video['id']}/content").headers["content-type"] == "video/mp4"
    # An Azure video is not an OpenAI one.
    assert httpx.get(f"{emulator.url}/v1/videos/{video['id']}").status_code == 404
    assert emulator.stats().submits == {"azure": 1}


def test_request_bodies_are_json_in_answers(http: httpx.Client) -> None:
    answer = http.post("/v1/videos", json=SMALL)
    assert answer.headers["content-type"] == "application/json"
    assert json.loads(answer.content)["prompt"] == SMALL["prompt"]
