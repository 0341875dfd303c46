"""Helpers shared by the emulator tests."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import httpx

from vidgen.emulator import Timing

#: Jobs queue for 2 s, then render for 2 s plus 1 s per second of video (emulated).
TIMING = Timing(queue=2.0, render_base=2.0, render_per_second=1.0, retention=3600.0, poll_after=1.0)
#: Past the end of any job the tests make (and before content expires).
LATER = 100.0

SMALL = {"prompt": "a red fox in the snow", "model": "sora-2", "seconds": "1", "size": "160x90"}


def png(width: int, height: int, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A PNG of one colour."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def create_video(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Create an OpenAI-protocol video (small by default); the video object."""
    response = http.post("/v1/videos", json={**SMALL, **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The inner error object of an error answer."""
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), dict), body
    error: dict[str, Any] = body["error"]
    return error


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait (really) until ``check()`` is true: for what the emulator does in the background."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never became true")
        time.sleep(0.01)
