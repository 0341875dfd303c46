"""The aivideoapi task API, spoken over plain HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from emulator_support import LATER, error_of, wait_until

from vidgen.emulator import Emulator
from vidgen.testing import FakeClock

TASK: dict[str, Any] = {
    "model": "sora-2",
    "input": {"prompt": "a lighthouse at dusk", "duration": 1, "aspect_ratio": "16:9"},
}


@pytest.fixture
def api(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.base_url("aivideoapi"), headers={"Authorization": "Bearer sk-x"}
    ) as client:
        yield client


def _create(api: httpx.Client, **changes: Any) -> str:
    body = {**TASK, **changes}
    answer = api.post("/videos/generations", json=body)
    assert answer.status_code == 200, answer.text
    envelope = answer.json()
    assert (envelope["code"], envelope["msg"]) == (200, "success")
    task_id: str = envelope["data"]["taskId"]
    return task_id


def test_task_lifecycle_and_download_from_the_file_host(
    api: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    task_id = _create(api)
    pending = api.get(f"/tasks/{task_id}").json()
    assert (pending["id"], pending["status"], pending["progress"]) == (task_id, "pending", None)
    assert pending["output"] is None
    emu_clock.advance(3.5)  # queued 2 s, then 3 s of rendering
    processing = api.get(f"/tasks/{task_id}").json()
    assert processing["status"] == "processing"
    assert 0 < processing["progress"] < 100
    emu_clock.advance(LATER)
    done = api.get(f"/tasks/{task_id}").json()
    assert done["status"] == "completed"
    assert done["completed_at"] == pending["created_at"] + 5
    assert done["output"]["metadata"] == {"duration": 1, "prompt": TASK["input"]["prompt"]}
    (url,) = done["output"]["urls"]
    assert url == f"{emulator.url}/_files/aivideoapi/{task_id}/0.mp4"
    # The storage host wants no key; a client that sends one anyway is counted.
    video = httpx.get(url)
    assert (video.status_code, video.headers["content-type"]) == (200, "video/mp4")
    assert emulator.stats().file_requests_with_auth == 0
    httpx.get(url, headers={"Authorization": "Bearer sk-x"})
    assert emulator.stats().file_requests_with_auth == 1
    ranged = httpx.get(url, headers={"Range": "bytes=100-"})
    assert ranged.content == video.content[100:]
    assert httpx.get(url.replace("/0.mp4", "/1.mp4")).status_code == 404


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"input": {**TASK["input"], "duration": "8"}}, "integer"),
        ({"input": {**TASK["input"], "aspect_ratio": "4:3"}}, "aspect_ratio"),
        ({"input": {**TASK["input"], "image_urls": ["a", "b"]}}, "image_urls"),
        ({"input": {**TASK["input"], "prompt": ""}}, "prompt"),
        ({"input": "a prompt"}, "input"),
        ({"model": None}, "model"),
        ({"callback_url": "ftp://x"}, "callback_url"),
    ],
)
def test_create_is_validated(api: httpx.Client, change: dict[str, Any], words: str) -> None:
    answer = api.post("/videos/generations", json={**TASK, **change})
    assert answer.status_code == 400
    error = error_of(answer)
    assert (error["code"], error["type"]) == ("invalid_request", "invalid_request_error")
    assert words in error["message"]


def test_errors_use_the_vendor_table(api: httpx.Client) -> None:
    missing = api.get("/tasks/nope")
    assert missing.status_code == 404
    assert error_of(missing) == {
        "code": "task_not_found",
        "message": "Task nope not found.",
        "type": "invalid_request_error",
    }
    assert error_of(api.post("/videos/generations", content=b"{"))["code"] == "invalid_request"
    assert api.get("/credits").status_code == 404


def test_failed_task_carries_the_upstream_error(
    api: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    emulator.add_fault("fail_job:protocol=aivideoapi")
    task_id = _create(api)
    emu_clock.advance(LATER)
    task = api.get(f"/tasks/{task_id}").json()
    assert task["status"] == "failed"
    assert task["error"]["code"] == "upstream_error"
    assert "content policy" in task["error"]["message"]
    assert task["output"] is None


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]]
    arrived: threading.Event

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()
        type(self).arrived.set()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_callback_is_posted_once_when_the_task_finishes(
    api: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    _Receiver.bodies, _Receiver.arrived = [], threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
        task_id = _create(api, callback_url=hook)
        emu_clock.advance(LATER)
        assert _Receiver.arrived.wait(10)
        (body,) = _Receiver.bodies
        assert (body["id"], body["status"]) == (task_id, "completed")
        assert body["output"]["urls"][0].endswith(f"/_files/aivideoapi/{task_id}/0.mp4")
        wait_until(lambda: emulator.stats().callbacks_sent == 1)
    finally:
        server.shutdown()
        server.server_close()


def test_callbacks_go_to_this_machine_only(
    api: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    _create(api, callback_url="https://hooks.example.com/video")
    emu_clock.advance(LATER)
    wait_until(lambda: emulator.stats().callbacks_failed == 1)
    assert (emulator.stats().callbacks_failed, emulator.stats().callbacks_sent) == (1, 0)
