"""Counters, admin endpoints, robustness, the missing video extra, and the public surface."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import httpx
import pytest
from emulator_support import LATER, SMALL, create_video, error_of

import vidgen
from vidgen.emulator import Emulator, EmulatorApp, ModelProfile, Stats, Timing
from vidgen.emulator._jobs import JobRecord, state_at
from vidgen.testing import FakeClock


def test_stats_count_what_arrives_and_reset(
    http: httpx.Client, emu_clock: FakeClock, emulator: Emulator
) -> None:
    first = create_video(http, prompt="counted")
    create_video(http, prompt="counted")
    http.get(f"/v1/videos/{first['id']}")
    emu_clock.advance(LATER)
    http.get(f"/v1/videos/{first['id']}")
    content = http.get(f"/v1/videos/{first['id']}/content", headers={"Range": "bytes=0-"})
    http.get("/v1/videos")
    stats = emulator.stats()
    assert stats.requests == 6
    assert (stats.submits, stats.submit_attempts) == ({"openai": 2}, {"openai": 2})
    assert stats.submits_by_prompt == {"counted": 2}
    assert (stats.polls, stats.total_polls) == ({first["id"]: 2}, 2)
    assert stats.content_requests == {first["id"]: 1}
    assert stats.ranges == ("bytes=0-",)
    assert stats.bytes_sent == len(content.content)
    assert (stats.lists, stats.total_submits, stats.total_content_requests) == (1, 2, 1)

    over_http = httpx.get(f"{emulator.url}/_emulator/stats").json()
    assert over_http == stats.to_dict()
    assert over_http["total_submits"] == 2
    assert httpx.post(f"{emulator.url}/_emulator/stats/reset").json() == {"reset": True}
    assert emulator.stats() == Stats()
    http.get("/v1/videos")
    assert httpx.delete(f"{emulator.url}/_emulator/stats").status_code == 200
    assert emulator.stats().lists == 0


def test_admin_health_and_jobs(emulator: Emulator, http: httpx.Client) -> None:
    health = httpx.get(f"{emulator.url}/_emulator/health").json()
    assert health == {"status": "ok", "protocols": ["openai", "aivideoapi", "azure"], "video": True}
    video = create_video(http, prompt="listed by the admin endpoint")
    jobs = httpx.get(f"{emulator.url}/_emulator/jobs").json()["jobs"]
    (job,) = [job for job in jobs if job["id"] == video["id"]]
    assert job["state"]["status"] == "queued"
    assert job["outputs"] == [video["id"]]
    assert httpx.get(f"{emulator.url}/_emulator/nothing").status_code == 404
    assert emulator.stats().requests == 1  # admin requests are not counted


def test_an_internal_failure_is_a_clean_500(
    http: httpx.Client,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the emulator")

    monkeypatch.setattr(emulator.app.service, "create_job", broken)
    answer = http.post("/v1/videos", json=SMALL)
    assert answer.status_code == 500
    assert error_of(answer)["type"] == "server_error"
    assert "Traceback" not in answer.text
    assert "a bug in the emulator" not in answer.text
    assert "a bug in the emulator" in caplog.text  # logged on the emulator's side


def test_too_large_bodies_are_refused(http: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import vidgen.emulator._http as emulator_http

    monkeypatch.setattr(emulator_http, "MAX_BODY", 1000)
    answer = http.post("/v1/videos", json={**SMALL, "prompt": "x" * 2000})
    assert answer.status_code == 413
    assert error_of(answer)["message"]


def test_without_the_video_extra_content_is_a_501_naming_the_extra(
    http: httpx.Client, emu_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = create_video(http, size="176x144")  # a size no other test renders
    emu_clock.advance(LATER)
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` now fails
    answer = http.get(f"/v1/videos/{video['id']}/content")
    assert answer.status_code == 501
    error = error_of(answer)
    assert error["code"] == "video_extra_missing"
    assert "pip install 'vidgen[video]'" in error["message"]
    assert http.get(f"/v1/videos/{video['id']}").status_code == 200  # the rest still works


def test_require_video_fails_at_start_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)
    emulator = Emulator(require_video=True)
    with pytest.raises(vidgen.ConfigError, match=r"pip install 'vidgen\[video\]'"):
        emulator.start()
    assert not emulator.running


def test_emulator_lifecycle_and_urls() -> None:
    emulator = Emulator(protocols=["openai", "azure"])
    with pytest.raises(RuntimeError, match="started"):
        _ = emulator.url
    with emulator:
        assert emulator.running
        assert emulator.start() is emulator
        assert emulator.url == f"http://127.0.0.1:{emulator.port}"
        assert emulator.base_url("openai") == emulator.url + "/v1"
        assert emulator.base_url("azure") == emulator.url + "/openai/v1"
        assert emulator.base_url("aivideoapi") == emulator.url + "/aivideoapi/v1"
        with pytest.raises(ValueError, match="unknown protocol"):
            emulator.base_url("vertex")
        assert "127.0.0.1" in repr(emulator)
    assert not emulator.running
    with pytest.raises(RuntimeError, match="cannot start again"):
        emulator.start()
    with pytest.raises(ValueError, match="unknown protocol"):
        EmulatorApp(protocols=["openai", "sora-web"])
    with pytest.raises(ValueError, match="speed"):
        EmulatorApp(speed=0)


def test_speed_shortens_jobs_and_the_poll_hint() -> None:
    clock = FakeClock()
    with Emulator(protocols=["openai"], speed=10, clock=clock) as emulator:
        answer = httpx.post(emulator.base_url("openai") + "/videos", json={**SMALL, "seconds": "8"})
        video = answer.json()
        # Defaults: 0.5 queued + 0.5 + 8 * 0.3 rendering = 3.4 emulated s = 0.34 s at speed 10.
        clock.advance(0.33)
        hinted = httpx.get(emulator.base_url("openai") + f"/videos/{video['id']}")
        assert hinted.json()["status"] == "in_progress"
        assert hinted.headers["openai-poll-after-ms"] == "100"
        clock.advance(0.02)
        assert (
            httpx.get(emulator.base_url("openai") + f"/videos/{video['id']}").json()["status"]
            == "completed"
        )


def test_state_is_a_pure_function_of_record_and_time() -> None:
    record = JobRecord(
        id="video_x",
        api="videos",
        protocol="openai",
        seq=1,
        model="m",
        prompt="p",
        seconds=4,
        width=160,
        height=90,
        created_at=100.0,
        started_at=102.0,
        finishes_at=110.0,
        expires_after=50.0,
        outputs=("video_x",),
    )
    assert state_at(record, 101).status == "queued"
    assert (state_at(record, 106).status, state_at(record, 106).progress) == ("in_progress", 50)
    done = state_at(record, 110)
    assert (done.status, done.progress, done.completed_at, done.expires_at) == (
        "completed",
        100,
        110,
        160,
    )
    assert state_at(record, 106) == state_at(record, 106)
    import attrs

    assert state_at(attrs.evolve(record, outcome="fail"), 200).status == "failed"
    assert state_at(attrs.evolve(record, outcome="never"), 1e9).progress == 99
    with pytest.raises(ValueError, match="negative"):
        Timing(queue=-1)
    with pytest.raises(ValueError, match="fps"):
        ModelProfile(fps=0)


# -- the public surface -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vidgen.emulator", "vidgen.media"])
def test_all_is_sorted_complete_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for item in exported:
        assert getattr(module, item) is not None
    public = {
        n for n, v in vars(module).items() if not n.startswith("_") and not inspect.ismodule(v)
    }
    assert public <= set(exported), sorted(public - set(exported))


def test_public_functions_and_classes_have_docstrings() -> None:
    import vidgen.emulator
    import vidgen.media

    for module in (vidgen.emulator, vidgen.media):
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert inspect.getdoc(value), f"{module.__name__}.{name} has no docstring"


def test_importing_works_without_av_or_pillow() -> None:
    code = (
        "import sys; sys.modules['av'] = None; sys.modules['PIL'] = None\n"
        "import vidgen.media, vidgen.emulator\n"
        "try:\n"
        "    vidgen.media.render_video('x.mp4', width=2, height=2, seconds=1, title='t', seed=1)\n"
        "except vidgen.ConfigError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'vidgen[video]'" in result.stdout
