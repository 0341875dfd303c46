"""Azure's video generation jobs API, spoken over plain HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from emulator_support import LATER, error_of, png

from vidgen.emulator import Emulator
from vidgen.testing import FakeClock

JOB: dict[str, Any] = {
    "prompt": "a cat playing piano",
    "model": "sora",
    "width": 480,
    "height": 480,
    "n_seconds": 1,
}


@pytest.fixture
def azure(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.base_url("azure") + "/video/generations",
        params={"api-version": "preview"},
        headers={"api-key": "azure-key"},
    ) as client:
        yield client


def _create(azure: httpx.Client, **changes: Any) -> dict[str, Any]:
    answer = azure.post("/jobs", json={**JOB, **changes})
    assert answer.status_code == 200, answer.text
    assert "apim-request-id" in answer.headers
    body: dict[str, Any] = answer.json()
    return body


def test_job_statuses_follow_azure_names(azure: httpx.Client, emu_clock: FakeClock) -> None:
    job = _create(azure)
    assert job["object"] == "video.generation.job"
    assert job["id"].startswith("task_")
    assert (job["status"], job["generations"], job["failure_reason"]) == ("queued", [], None)
    assert (job["width"], job["height"], job["n_seconds"], job["n_variants"]) == (480, 480, 1, 1)
    seen = []
    for _ in range(24):
        emu_clock.advance(0.25)
        seen.append(azure.get(f"/jobs/{job['id']}").json()["status"])
    # queued 2 s (half queued, half preprocessing), then running and processing for 3 s.
    assert list(dict.fromkeys(seen)) == [
        "queued",
        "preprocessing",
        "running",
        "processing",
        "succeeded",
    ]
    done = azure.get(f"/jobs/{job['id']}").json()
    assert done["finished_at"] == job["created_at"] + 5
    assert done["expires_at"] == done["finished_at"] + 3600
    (generation,) = done["generations"]
    assert generation["object"] == "video.generation"
    assert generation["job_id"] == job["id"]
    assert azure.get(f"/{generation['id']}").json() == generation


def test_variants_are_separate_videos(azure: httpx.Client, emu_clock: FakeClock) -> None:
    job = _create(azure, n_variants=2)
    emu_clock.advance(LATER)
    first, second = azure.get(f"/jobs/{job['id']}").json()["generations"]
    video_a = azure.get(f"/{first['id']}/content/video")
    video_b = azure.get(f"/{second['id']}/content/video", params={"quality": "high"})
    assert video_a.headers["content-type"] == video_b.headers["content-type"] == "video/mp4"
    assert video_a.content != video_b.content  # each generation has its own look
    head = azure.head(f"/{first['id']}/content/video")
    assert (head.status_code, head.content) == (200, b"")
    assert int(head.headers["content-length"]) == len(video_a.content)
    thumbnail = azure.get(f"/{first['id']}/content/thumbnail")
    assert thumbnail.headers["content-type"] == "image/jpg"
    assert thumbnail.content[:3] == b"\xff\xd8\xff"
    assert azure.get(f"/{first['id']}/content/video", params={"quality": "best"}).status_code == 400


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"width": 500}, "width"),
        ({"width": 481, "height": 480}, "width"),
        ({"n_seconds": 21}, "n_seconds"),
        ({"n_seconds": "5"}, "n_seconds"),
        ({"n_variants": 6}, "n_variants"),
        ({"width": 1920, "height": 1080, "n_variants": 2}, "n_variants"),
        ({"prompt": ""}, "prompt"),
        ({"model": None}, "model"),
    ],
)
def test_create_is_validated(azure: httpx.Client, change: dict[str, Any], param: str) -> None:
    answer = azure.post("/jobs", json={**JOB, **change})
    assert answer.status_code == 400
    error = error_of(answer)
    assert (error["param"], error["code"]) == (param, "BadRequest")
    assert "inner_error" in error


def test_multipart_create_with_an_image_file(azure: httpx.Client) -> None:
    inpaint = [{"frame_index": 0, "type": "image", "file_name": "first.png", "crop_bounds": {}}]
    form = {**{k: str(v) for k, v in JOB.items()}, "inpaint_items": json.dumps(inpaint)}
    answer = azure.post(
        "/jobs", data=form, files=[("files", ("first.png", png(480, 480), "image/png"))]
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["n_seconds"] == 1
    wrong = [{**inpaint[0], "file_name": "other.png"}]
    answer = azure.post(
        "/jobs",
        data={**form, "inpaint_items": json.dumps(wrong)},
        files=[("files", ("first.png", png(480, 480), "image/png"))],
    )
    assert error_of(answer)["param"] == "inpaint_items"


def test_list_delete_and_api_version(
    azure: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    older = _create(azure, prompt="older")
    emu_clock.advance(LATER)
    newer = _create(azure, prompt="newer")
    page = azure.get("/jobs", params={"limit": 50}).json()
    ids = [job["id"] for job in page["data"]]
    assert ids.index(newer["id"]) < ids.index(older["id"])
    running = azure.get("/jobs", params={"limit": 50, "statuses": "queued"}).json()
    assert [job["id"] for job in running["data"]] == [newer["id"]]
    after = azure.get("/jobs", params={"limit": 50, "after": newer["id"]}).json()
    assert newer["id"] not in [job["id"] for job in after["data"]]
    assert older["id"] in [job["id"] for job in after["data"]]

    deleted = azure.delete(f"/jobs/{older['id']}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert azure.get(f"/jobs/{older['id']}").status_code == 404
    assert error_of(azure.get(f"/jobs/{older['id']}"))["code"] == "NotFound"

    bad = azure.get(f"/jobs/{newer['id']}", params={"api-version": "nonsense"})
    assert (bad.status_code, error_of(bad)["param"]) == (400, "api-version")
    assert (
        azure.get(f"/jobs/{newer['id']}", params={"api-version": "2025-04-01-preview"}).status_code
        == 200
    )
    assert emulator.stats().deletes == 1


def test_api_key_or_bearer_token_when_a_key_is_required() -> None:
    with Emulator(protocols=["azure"], api_key="the-key") as emulator:
        url = emulator.base_url("azure") + "/video/generations/jobs?api-version=preview"
        denied = httpx.post(url, json=JOB)
        assert denied.status_code == 401
        assert error_of(denied)["code"] == "401"
        assert httpx.post(url, json=JOB, headers={"api-key": "the-key"}).status_code == 200
        assert (
            httpx.post(url, json=JOB, headers={"Authorization": "Bearer the-key"}).status_code
            == 200
        )
        assert httpx.post(url, json=JOB, headers={"api-key": "other"}).status_code == 401
