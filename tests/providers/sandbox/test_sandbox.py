"""The ``sandbox`` provider: a real lifecycle and real videos, with no key and no network."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import vidgen
import vidgen_sandbox.provider as sandbox_module
from vidgen.cli import cli
from vidgen.media import probe_video

FAST = {"speed": 40.0}


def stop_emulators() -> None:
    """Forget this process's sandbox emulators, as if the process had ended."""
    for emulator in sandbox_module._running.values():
        emulator.stop()
    sandbox_module._running.clear()


@pytest.fixture(autouse=True)
def fresh_emulators() -> Iterator[None]:
    """Each test starts its own emulators (as a new process would)."""
    stop_emulators()
    yield
    stop_emulators()


def test_generate_leaves_a_real_video_of_the_asked_size_and_length(tmp_path: Path) -> None:
    request = vidgen.VideoRequest(
        prompt="a paper boat", duration=2, aspect="16:9", model="sandbox-range"
    )
    ledger = vidgen.Ledger(tmp_path / "l.sqlite3")
    with vidgen.Client(provider="sandbox", settings=FAST, ledger=ledger) as client:
        path = client.generate(request, tmp_path / "boat.mp4", timeout=60)
    info = probe_video(path)
    assert (info.width, info.height) == (1280, 720)
    assert abs(info.duration - 2.0) <= 1 / 24
    assert not info.has_audio  # sandbox-range is silent
    (entry,) = ledger.entries()
    assert entry.finished
    assert entry.quote is not None
    assert entry.quote.amount == Decimal(0)


def test_a_model_with_sound_has_an_audio_track(tmp_path: Path) -> None:
    request = vidgen.VideoRequest(prompt="rain", duration=4, aspect="1:1")
    with vidgen.Client(provider="sandbox", settings=FAST, ledger=False) as client:
        path = client.generate(request, tmp_path / "rain.mp4", timeout=60)
    info = probe_video(path)
    assert (info.width, info.height) == (720, 720)
    assert info.has_audio


def test_a_job_is_finished_by_another_process(tmp_path: Path) -> None:
    ledger = vidgen.Ledger(tmp_path / "l.sqlite3")
    request = vidgen.VideoRequest(prompt="a heron", duration=1, model="sandbox-range")
    with vidgen.Client(provider="sandbox", settings=FAST, ledger=ledger) as first:
        job = first.submit(request, output=tmp_path / "heron.mp4")
    stop_emulators()  # the first process is gone; its emulator with it
    from vidgen._recovery import ResumeState, client_for, resume_entry

    (entry,) = ledger.unfinished()
    assert entry.endpoint == "sandbox"
    second = client_for(entry, ledger=ledger)
    outcome = resume_entry(entry, ledger=ledger, client=second, output_dir=tmp_path, timeout=60)
    assert outcome.state is ResumeState.DOWNLOADED, outcome.message
    assert probe_video(tmp_path / "heron.mp4").duration == pytest.approx(1.0, abs=1 / 24)
    assert job.id in outcome.message or outcome.path == tmp_path / "heron.mp4"


def test_the_quote_is_free_and_says_so() -> None:
    provider = vidgen.get_provider("sandbox")
    quote = provider.quote(provider.fit(vidgen.VideoRequest(prompt="x", duration=8)))
    assert quote.amount == Decimal(0)
    assert quote.source == "sandbox: no charge"


def test_without_the_video_extra_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "av", None)  # as if PyAV were not installed
    request = vidgen.VideoRequest(prompt="a boat", duration=4)
    with (
        vidgen.Client(provider="sandbox", settings=FAST, ledger=False) as client,
        pytest.raises(vidgen.ConfigError, match=r"pip install 'vidgen\[video\]'"),
    ):
        client.generate(request, tmp_path / "boat.mp4")
    assert not (tmp_path / "boat.mp4").exists()


def test_the_cli_generates_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "a paper boat",
            "--provider",
            "sandbox",
            "-m",
            "sandbox-range",
            "-s",
            "2",
            "-o",
            "boat.mp4",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("boat.mp4")
    info = probe_video(tmp_path / "boat.mp4")
    assert abs(info.duration - 2.0) <= 1 / 24


def test_it_takes_no_base_url() -> None:
    with pytest.raises(vidgen.ConfigError, match="takes no base_url"):
        vidgen.get_provider("sandbox", base_url="https://example.com/v1")
