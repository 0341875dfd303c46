"""Issue 15: storyboards on the sandbox, with real videos: continuity, reuse, draft, chain."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import vidgen
import vidgen_sandbox.provider as sandbox_module
from vidgen.cli import cli
from vidgen.emulator import Fault
from vidgen.media import probe_video

pytest.importorskip("av")

FAST = {"speed": 50.0}


def stop_emulators() -> None:
    for emulator in sandbox_module._running.values():
        emulator.stop()
    sandbox_module._running.clear()


@pytest.fixture(autouse=True)
def fresh_emulators() -> Iterator[None]:
    stop_emulators()
    yield
    stop_emulators()


def board(*durations: int, prompts: tuple[str, ...] = ()) -> vidgen.Storyboard:
    words = prompts or tuple(
        f"shot {n}: a heron over a misty lake" for n in range(1, len(durations) + 1)
    )
    return vidgen.Storyboard(
        shots=[vidgen.Shot(prompt=p, duration=d) for p, d in zip(words, durations, strict=True)],
        model="sandbox-range",
        aspect="16:9",
        continuity="last-frame",
    )


def client(tmp_path: Path, **options: object) -> vidgen.Client:
    return vidgen.Client(
        provider="sandbox",
        settings=FAST,
        ledger=vidgen.Ledger(tmp_path / "ledger.sqlite3"),
        **options,  # type: ignore[arg-type]
    )


def submits(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "ledger.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])


def test_three_shots_make_one_film_each_shot_from_the_last_frame(tmp_path: Path) -> None:
    steps: list[vidgen.RenderProgress] = []
    with client(tmp_path) as made:
        film = made.render(board(1, 2, 1), tmp_path / "film.mp4", on_progress=steps.append)
        entries = sorted(made.ledger.entries(), key=lambda e: e.ledger_id)  # type: ignore[union-attr]
    info = probe_video(tmp_path / "film.mp4")
    assert info.duration == pytest.approx(4.0, abs=0.1)  # probed, not trusted: 1 + 2 + 1
    assert (info.width, info.height) == (1280, 720)
    assert film.duration == pytest.approx(4.0, abs=0.1)
    assert film.issues == ()
    assert [s.first_frame for s in film.shots] == [None, "last-frame", "last-frame"]
    # Shots 2 and 3 were sent with the previous shot's last frame, at the video's size.
    references = [e.request.get("reference") for e in entries]
    assert references[0] is None
    assert references[1] == "shot-02-first-frame.png (1280x720)"
    assert references[2] == "shot-03-first-frame.png (1280x720)"
    assert {e.group_id for e in entries} == {vidgen._film.film_id(tmp_path / "film.mp4")}
    stages = {(s.shot, s.stage) for s in steps}
    assert {
        (1, "planned"),
        (2, "submitted"),
        (3, "downloaded"),
        (0, "joining"),
        (0, "done"),
    } <= stages


def test_rendering_again_pays_for_no_shot_twice(tmp_path: Path) -> None:
    with client(tmp_path) as made:
        made.render(board(1, 1), tmp_path / "film.mp4")
        again = made.render(board(1, 1), tmp_path / "film.mp4", overwrite=True)
    assert [s.reused for s in again.shots] == [True, True]
    assert submits(tmp_path) == 2


def test_a_failed_shot_is_retried_alone_with_a_new_prompt(tmp_path: Path) -> None:
    first = board(1, 1, prompts=("a calm lake", "a storm BREAKS over the lake"))
    with client(tmp_path) as made:
        sandbox_started(made)
        emulator().add_fault(Fault(kind="fail_job", prompt="BREAKS", times=10))
        with pytest.raises(vidgen.JobFailed, match="shot 2 of 2 failed"):
            made.render(first, tmp_path / "film.mp4")
        assert submits(tmp_path) == 2
        edited = board(1, 1, prompts=("a calm lake", "rain starts to fall on the lake"))
        film = made.render(edited, tmp_path / "film.mp4")
    assert [s.reused for s in film.shots] == [True, False]
    assert submits(tmp_path) == 3  # shot 1 once, the failed shot 2, the edited shot 2


def sandbox_started(made: vidgen.Client) -> None:
    made.provider.prepare()


def emulator() -> vidgen.emulator.Emulator:
    (running,) = sandbox_module._running.values()
    return running


def test_a_mismatched_delivery_is_flagged(tmp_path: Path) -> None:
    # The emulator renders what it is asked; a job recorded as 4 s but delivered as 1 s is
    # what a provider billing 4 s for 1 s looks like.
    with client(tmp_path) as made:
        job = made.wait(
            made.submit(vidgen.VideoRequest(prompt="x", duration=1, model="sandbox-range"))
        )
        with sqlite3.connect(tmp_path / "ledger.sqlite3") as db:
            db.execute("UPDATE jobs SET request = json_set(request, '$.seconds', 4)")
        made.download(job, tmp_path / "x.mp4")
        (entry,) = made.ledger.entries()  # type: ignore[union-attr]
        assert entry.delivery_issue == "delivered 1.0 s, asked 4 s"
        assert entry.delivered is not None
        assert entry.delivered["width"] == 1280
    strict = client(tmp_path, delivery="strict")
    with (
        strict,
        pytest.raises(vidgen.DeliveryMismatch, match=r"delivered 1\.0 s, asked 4 s") as caught,
    ):
        strict.download(job, tmp_path / "y.mp4")
    assert caught.value.path == tmp_path / "y.mp4"
    assert (tmp_path / "y.mp4").exists()  # kept: it may still be of use


def test_a_draft_is_the_shortest_and_lowest_the_model_offers(tmp_path: Path) -> None:
    standard = vidgen.Storyboard(
        shots=[vidgen.Shot(prompt="a", duration=8), vidgen.Shot(prompt="b", duration=12)],
        model="sandbox-standard",
        aspect="16:9",
        resolution="1080p",
    )
    with client(tmp_path) as made:
        film = made.render(standard, tmp_path / "draft.mp4", draft=True)
    info = probe_video(tmp_path / "draft.mp4")
    assert (info.width, info.height) == (1280, 720)  # 720p, not 1080p
    assert info.duration == pytest.approx(8.0, abs=0.1)  # 4 + 4, not 8 + 12
    assert film.expected_seconds == 8.0


def test_a_whole_film_over_max_job_cost_is_refused_before_any_http(tmp_path: Path) -> None:
    priced = [
        {
            "id": "m",
            "durations": [1, 2],
            "sizes": ["1280x720"],
            "reference": ["file"],
            "price_per_second": "0.40",
            "price_source": "https://example.com/pricing",
            "price_as_of": "2026-11-30",
        }
    ]
    made = vidgen.Client(
        provider="openai-compatible",
        base_url="https://relay.example.com/v1",
        api_key="k",
        models=priced,
        ledger=vidgen.Ledger(tmp_path / "ledger.sqlite3"),
        max_job_cost="1.00",  # each 2 s shot costs 0.80, the film 1.60
    )
    film = vidgen.Storyboard(
        shots=[vidgen.Shot(prompt="a", duration=2), vidgen.Shot(prompt="b", duration=2)]
    )
    with made, pytest.raises(vidgen.BudgetExceeded, match=r"cost 1\.60 in all"):
        made.render(film, tmp_path / "film.mp4")
    assert submits(tmp_path) == 0


def test_continuity_needs_a_model_that_takes_a_first_frame(tmp_path: Path) -> None:
    draft_only = vidgen.Storyboard(
        shots=[vidgen.Shot(prompt="a", duration=4), vidgen.Shot(prompt="b", duration=4)],
        model="sandbox-draft",  # takes no reference image
    )
    with client(tmp_path) as made, pytest.raises(vidgen.UnsupportedRequest, match="takes no first"):
        made.render(draft_only, tmp_path / "film.mp4")
    assert submits(tmp_path) == 0


def test_a_toml_storyboard_and_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "home"))
    (tmp_path / "vidgen.toml").write_text('[profiles.sb]\nprovider = "sandbox"\nspeed = 50\n')
    (tmp_path / "film.toml").write_text(
        """
title = "lake"
profile = "sb"
model = "sandbox-range"
aspect = "16:9"
[[shots]]
prompt = "a lake at dawn"
duration = 1
[[shots]]
prompt = "the mist lifts"
duration = 2
"""
    )
    quoted = CliRunner().invoke(cli, ["quote", "--storyboard", "film.toml", "--json"])
    assert quoted.exit_code == 0, quoted.output
    assert '"total": "0"' in quoted.stdout or '"total": "0.00"' in quoted.stdout
    result = CliRunner().invoke(cli, ["storyboard", "film.toml", "-o", "film.mp4"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("film.mp4")
    assert probe_video(tmp_path / "film.mp4").duration == pytest.approx(3.0, abs=0.1)
    again = CliRunner().invoke(cli, ["storyboard", "film.toml", "-o", "film.mp4"])
    assert again.exit_code == 2
    assert "--force" in again.stderr


def test_chain_makes_a_long_video_of_clips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "home"))
    (tmp_path / "vidgen.toml").write_text('[profiles.sb]\nprovider = "sandbox"\nspeed = 50\n')
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "a long drive",
            "-p",
            "sb",
            "-m",
            "sandbox-draft",
            "-s",
            "10",
            "--chain",
            "-o",
            "long.mp4",
        ],
    )
    # sandbox-draft takes no first frame: chaining it is refused before anything is sent.
    assert result.exit_code == 2
    assert "takes no first frame" in result.stderr
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "a long drive",
            "-p",
            "sb",
            "-m",
            "sandbox-range",
            "-s",
            "23",
            "--chain",
            "-o",
            "long.mp4",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "23 s as 2 clips of 20 + 3 s" in result.stderr
    assert probe_video(tmp_path / "long.mp4").duration == pytest.approx(23.0, abs=0.15)


def test_storyboard_values_are_checked() -> None:
    with pytest.raises(vidgen.ConfigError, match="at least one shot"):
        vidgen.Storyboard(shots=[])
    with pytest.raises(vidgen.ConfigError, match="continuity"):
        vidgen.Storyboard(shots=[vidgen.Shot(prompt="a")], continuity="fade")  # type: ignore[arg-type]
    with pytest.raises(vidgen.ConfigError, match="unknown key 'durations'"):
        vidgen.Storyboard.from_mapping({"shots": [{"prompt": "a", "durations": 4}]})
    with pytest.raises(vidgen.ConfigError, match="shot 2 has no prompt"):
        vidgen.Storyboard.from_mapping({"shots": [{"prompt": "a"}, {"duration": 4}]})


def test_a_storyboard_round_trips_through_the_ledger_form() -> None:
    from vidgen.testing import png_bytes

    original = vidgen.Storyboard(
        shots=[
            vidgen.Shot(
                prompt="a", duration=4, reference=vidgen.Reference.from_bytes(png_bytes(64, 36))
            ),
            vidgen.Shot(prompt="b", duration=8, model="m2"),
        ],
        title="t",
        aspect="16:9",
    )
    again = vidgen.Storyboard.from_mapping(original.to_mapping())
    assert again.shot_key(0, None) == original.shot_key(0, None)
    assert again.shot_key(1, "abc") == original.shot_key(1, "abc")
    assert again.shots[0].reference is not None
    assert again.shots[0].reference.size == "64x36"


def test_quotes_name_a_total(tmp_path: Path) -> None:
    offer = vidgen._compare.storyboard_offer(
        vidgen.get_provider("sandbox"),
        board(1, 2),
        today=vidgen.testing.FakeClock().today(),
    )
    assert offer.total == Decimal(0)
    assert len(offer.shots) == 2
