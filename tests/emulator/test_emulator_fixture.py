"""`vidgen.testing.emulator` (the fixture for plugin authors) and synthetic content."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

import vidgen
import vidgen.testing
from vidgen.emulator import ModelProfile
from vidgen.media import probe_video
from vidgen.testing import FakeClock

TINY = {"id": "emu-1", "durations": [4], "sizes": ["160x90"]}


def test_the_fixture_is_running_fast_and_stops(tmp_path: Path) -> None:
    with vidgen.testing.emulator() as emu:
        assert emu.running
        client = vidgen.Client(
            provider="openai-compatible",
            api_key="test",
            base_url=emu.base_url("openai"),
            models=[TINY],
            ledger=False,
        )
        with client:
            path = client.generate(
                vidgen.VideoRequest(prompt="a kite", duration=4), tmp_path / "kite.mp4"
            )
        stats = emu.stats()
    assert not emu.running
    emu.stop()  # twice is fine
    assert stats.total_submits == 1
    info = probe_video(path)
    assert (info.width, info.height, info.has_audio) == (160, 90, False)


def test_the_fixture_without_with_and_on_a_fake_clock(tmp_path: Path) -> None:
    clock = FakeClock()
    emu = vidgen.testing.emulator(clock=clock, faults=["rate_limit:on=status"])
    try:
        client = vidgen.Client(
            provider="openai-compatible",
            api_key="test",
            base_url=emu.base_url("openai"),
            models=[TINY],
            ledger=False,
            clock=clock,
            sleep=clock.sleep,
        )
        with client:
            job = client.wait(client.submit(vidgen.VideoRequest(prompt="a kite", duration=4)))
        assert job.status is vidgen.JobStatus.SUCCEEDED
        assert emu.stats().faults_fired == {"rate_limit": 1}
    finally:
        emu.stop()


def test_the_fixture_makes_sora_2_tiny_too() -> None:
    with vidgen.testing.emulator(models={"loud": ModelProfile(audio=True)}) as emu:
        profiles = emu.app.service.models
        assert profiles["sora-2"] == ModelProfile(audio=False, fps=8)
        assert profiles["loud"].audio is True


def test_synthetic_content_is_exact_shared_and_resumable() -> None:
    size = 3 * 1024 * 1024 + 17
    profile = ModelProfile(synthetic_bytes=size)
    with (
        vidgen.testing.emulator(models={"bench": profile}) as emu,
        httpx.Client(base_url=emu.base_url("openai"), timeout=30) as http,
    ):
        ids = []
        for _ in range(2):
            video = http.post(
                "/videos", json={"prompt": "p", "model": "bench", "seconds": "4", "size": "160x90"}
            ).json()
            ids.append(video["id"])
        for video_id in ids:
            while http.get(f"/videos/{video_id}").json()["status"] != "completed":
                time.sleep(0.01)
        first = http.get(f"/videos/{ids[0]}/content").content
        second = http.get(f"/videos/{ids[1]}/content").content
        tail = http.get(f"/videos/{ids[0]}/content", headers={"Range": f"bytes={size - 10}-"})
    assert len(first) == size
    assert first == second  # one file, made once, for every job of that size
    assert first[:1024] != first[1024:2048]  # not a run of one byte
    assert (tail.status_code, tail.content) == (206, first[-10:])


def test_synthetic_bytes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="synthetic_bytes"):
        ModelProfile(synthetic_bytes=0)
