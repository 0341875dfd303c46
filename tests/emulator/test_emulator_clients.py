"""Real clients against the emulator: the official ``openai`` SDK and vidgen's providers."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_support import LATER

import vidgen
from vidgen.emulator import Emulator, Fault
from vidgen.media import probe_video
from vidgen.testing import FakeClock

RELAY_MODEL = {"id": "emu-1", "durations": [1, 2], "sizes": ["160x90"]}


def _openai_sdk() -> Any:
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:1/v1")
    if not hasattr(client, "videos"):
        pytest.skip(f"openai {openai.__version__} has no videos API")
    return openai


# The SDK marks every videos method deprecated (the Sora API's shutdown); that is expected.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_official_openai_sdk_round_trip(emu_clock: FakeClock, tmp_path: Path) -> None:
    openai = _openai_sdk()
    with Emulator(protocols=["openai"], api_key="sk-emulated", clock=emu_clock) as emulator:
        client = openai.OpenAI(
            api_key="sk-emulated", base_url=emulator.base_url("openai"), max_retries=0
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            video = client.videos.create(
                prompt="a paper boat", model="sora-2", seconds="1", size="160x90"
            )
            assert (video.status, video.seconds, video.size) == ("queued", "1", "160x90")
            emu_clock.advance(LATER)
            video = client.videos.retrieve(video.id)
            assert (video.status, video.progress) == ("completed", 100)
            assert video.expires_at is not None
            content = client.videos.download_content(video.id)
            path = tmp_path / "boat.mp4"
            content.write_to_file(path)
            thumbnail = client.videos.download_content(video.id, variant="thumbnail")
            assert thumbnail.content[8:12] == b"WEBP"
            assert [v.id for v in client.videos.list()] == [video.id]
            with pytest.raises(openai.BadRequestError) as caught:
                client.videos.create(prompt="x", seconds="0", size="160x90")
            assert caught.value.code == "invalid_value"
            wrong = openai.OpenAI(
                api_key="sk-other", base_url=emulator.base_url("openai"), max_retries=0
            )
            with pytest.raises(openai.AuthenticationError):
                wrong.videos.retrieve(video.id)
            assert client.videos.delete(video.id).deleted
        assert emulator.stats().submits == {"openai": 1}
    info = probe_video(path)
    assert (info.width, info.height) == (160, 90)


def test_vidgen_openai_compatible_generate(
    emulator: Emulator, emu_clock: FakeClock, tmp_path: Path
) -> None:
    client = vidgen.Client(
        provider="openai-compatible",
        base_url=emulator.base_url("openai"),
        api_key="k",
        ledger=False,
        models=[RELAY_MODEL],
        clock=emu_clock,
        sleep=emu_clock.sleep,  # vidgen's waits move the emulator's clock: no real waiting
    )
    with client:
        path = client.generate(
            vidgen.VideoRequest(prompt="a kite over a beach", duration=2, model="emu-1"),
            tmp_path / "kite.mp4",
        )
    info = probe_video(path)
    assert (info.width, info.height, info.has_audio) == (160, 90, True)
    assert abs(info.duration - 2) < 1 / 24
    stats = emulator.stats()
    assert stats.submits == {"openai": 1}
    assert stats.total_polls >= 2


def test_vidgen_resumes_a_cut_download_with_a_range(
    emulator: Emulator, emu_clock: FakeClock, tmp_path: Path
) -> None:
    emulator.add_fault(Fault(kind="cut_download", after_bytes=5000))
    client = vidgen.Client(
        provider="openai-compatible",
        base_url=emulator.base_url("openai"),
        ledger=False,
        models=[RELAY_MODEL],
        clock=emu_clock,
        sleep=emu_clock.sleep,
    )
    with client:
        job = client.submit(vidgen.VideoRequest(prompt="a cut download", duration=1, model="emu-1"))
        job = client.wait(job)
        path = client.download(job, tmp_path / "cut.mp4")
    whole = httpx.get(f"{emulator.base_url('openai')}/videos/{job.id}/content").content
    assert path.read_bytes() == whole
    assert emulator.stats().ranges[0] == "bytes=5000-"


def test_vidgen_never_resubmits_after_a_dropped_answer(
    emulator: Emulator, emu_clock: FakeClock
) -> None:
    emulator.add_fault(Fault(kind="drop_after_submit"))
    client = vidgen.Client(
        provider="openai-compatible",
        base_url=emulator.base_url("openai"),
        ledger=False,
        models=[RELAY_MODEL],
        clock=emu_clock,
        sleep=emu_clock.sleep,
    )
    with client, pytest.raises(vidgen.TransportError):
        client.submit(vidgen.VideoRequest(prompt="an ambiguous submit", duration=1, model="emu-1"))
    assert emulator.stats().submits == {"openai": 1}
    assert emulator.stats().submit_attempts == {"openai": 1}


def test_vidgen_azure_jobs(emulator: Emulator, emu_clock: FakeClock, tmp_path: Path) -> None:
    client = vidgen.Client(
        provider="azure",
        base_url=emulator.base_url("azure"),
        api_key="azure-key",
        ledger=False,
        allow_retired=True,
        clock=emu_clock,
        sleep=emu_clock.sleep,
    )
    request = vidgen.VideoRequest(
        prompt="a heron", duration=1, aspect="1:1", resolution="480p", model="sora"
    )
    with client:
        path = client.generate(request, tmp_path / "heron.mp4")
    info = probe_video(path)
    assert (info.width, info.height, info.has_audio) == (480, 480, False)  # Sora 1 is silent
    assert emulator.stats().submits == {"azure": 1}


def test_vidgen_aivideoapi_submit_and_wait(emulator: Emulator, emu_clock: FakeClock) -> None:
    client = vidgen.Client(
        provider="aivideoapi",
        base_url=emulator.base_url("aivideoapi"),
        api_key="sk-relay",
        ledger=False,
        allow_retired=True,
        clock=emu_clock,
        sleep=emu_clock.sleep,
    )
    with client:
        job = client.wait(
            client.submit(vidgen.VideoRequest(prompt="a crow", duration=4, aspect="16:9"))
        )
    assert job.status is vidgen.JobStatus.SUCCEEDED
    (output,) = job.outputs
    assert output.url == f"{emulator.url}/_files/aivideoapi/{job.id}/0.mp4"
