"""Rendered videos are real: exact size, duration, frame rate and streams, as probed."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import vidgen
from vidgen.media import VideoInfo, last_frame, probe_video, render_video
from vidgen.media._render import render_spritesheet, render_thumbnail
from vidgen.media._scene import timecode, wrap


@pytest.mark.parametrize(
    ("width", "height", "seconds", "fps", "audio"),
    [
        (320, 180, 2, 24, True),
        (180, 320, 1, 30, False),
        (128, 128, 1.5, 25, True),
        (64, 36, 0.5, 12, False),
    ],
)
def test_render_then_probe_is_exact(
    tmp_path: Path, width: int, height: int, seconds: float, fps: int, audio: bool
) -> None:
    path = tmp_path / "clip.mp4"
    render_video(
        path,
        width=width,
        height=height,
        seconds=seconds,
        fps=fps,
        title="a test clip",
        seed=7,
        audio=audio,
    )
    info = probe_video(path)
    assert (info.width, info.height, info.codec, info.has_audio) == (width, height, "h264", audio)
    assert info.fps == pytest.approx(fps)
    assert info.frames == round(seconds * fps)
    assert abs(info.duration - seconds) < 1 / fps
    assert info.audio_codec == ("aac" if audio else None)
    assert not list(tmp_path.glob(".*"))  # the temporary file was renamed into place


def test_odd_sizes_round_up_to_even(tmp_path: Path) -> None:
    path = tmp_path / "odd.mp4"
    render_video(path, width=161, height=91, seconds=0.5, title="odd", seed="s")
    info = probe_video(path)
    assert (info.width, info.height) == (162, 92)


def test_render_into_a_file_object(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    render_video(buffer, width=96, height=64, seconds=0.5, title="in memory", seed=1, audio=True)
    path = tmp_path / "from-buffer.mp4"
    path.write_bytes(buffer.getvalue())
    info = probe_video(path)
    assert (info.width, info.height, info.has_audio) == (96, 64, True)


def test_each_seed_looks_different_and_the_last_frame_is_the_end(tmp_path: Path) -> None:
    frames = []
    for seed in ("job-a", "job-b"):
        path = tmp_path / f"{seed}.mp4"
        render_video(path, width=160, height=90, seconds=1, title="same prompt", seed=seed)
        image = last_frame(path)
        assert image.size == (160, 90)
        assert image.mode == "RGB"
        frames.append(image)
    corner_a, corner_b = (frame.getpixel((150, 5)) for frame in frames)
    assert corner_a != corner_b  # the gradient comes from the seed
    # The progress bar along the bottom is full on the last frame: bright to the far end
    # (its empty part is near black).
    red, green, blue = frames[0].convert("RGB").getpixel((158, 89))
    assert max(red, green, blue) > 150


def test_same_arguments_same_pictures(tmp_path: Path) -> None:
    for name in ("one", "two"):
        render_video(tmp_path / f"{name}.mp4", width=64, height=64, seconds=0.5, title="t", seed=3)
    first, second = (last_frame(tmp_path / f"{name}.mp4") for name in ("one", "two"))
    assert first.tobytes() == second.tobytes()


def test_thumbnail_and_spritesheet_images() -> None:
    from PIL import Image

    thumbnail = render_thumbnail(
        width=320, height=180, seconds=2, title="t", seed=1, image_format="WEBP"
    )
    with Image.open(io.BytesIO(thumbnail)) as image:
        assert (image.format, image.size) == ("WEBP", (320, 180))
    sheet = render_spritesheet(
        width=320, height=180, seconds=2, title="t", seed=1, columns=3, rows=2, tile_size=80
    )
    with Image.open(io.BytesIO(sheet)) as image:
        assert (image.format, image.size) == ("JPEG", (240, 90))
    tall = render_spritesheet(width=16, height=3840, seconds=1, title="t", seed=1, tile_size=100)
    with Image.open(io.BytesIO(tall)) as image:
        assert image.size == (4 * 1, 4 * 100)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"width": 0}, "width and height"),
        ({"height": 9000}, "width and height"),
        ({"seconds": 0}, "seconds"),
        ({"seconds": float("nan")}, "seconds"),
        ({"fps": 0}, "fps"),
        ({"fps": 23.976}, "fps"),
    ],
)
def test_impossible_arguments(tmp_path: Path, options: dict[str, float], words: str) -> None:
    arguments = {"width": 64, "height": 64, "seconds": 1, "fps": 24, **options}
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ValueError, match=words):
        render_video(folder / "x.mp4", title="t", seed=1, **arguments)
    assert not list(folder.iterdir())


def test_probe_refuses_what_is_not_a_video(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(vidgen.ProtocolError, match="not a video file"):
        probe_video(text)
    with pytest.raises(vidgen.ProtocolError):
        probe_video(tmp_path / "missing.mp4")


@pytest.mark.parametrize("blocked", ["av", "PIL"])
def test_missing_extra_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocked: str
) -> None:
    monkeypatch.setitem(sys.modules, blocked, None)
    if blocked == "PIL":
        monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(
        vidgen.ConfigError, match=r"install the extra with `pip install 'vidgen\[video\]'`"
    ):
        render_video(tmp_path / "x.mp4", width=64, height=64, seconds=1, title="t", seed=1)
    with pytest.raises(vidgen.ConfigError, match="vidgen"):
        last_frame(tmp_path / "x.mp4")
    if blocked == "av":
        with pytest.raises(vidgen.ConfigError):
            probe_video(tmp_path / "x.mp4")


def test_video_info_is_a_frozen_value() -> None:
    info = VideoInfo(
        width=2, height=2, duration=1.0, fps=24.0, frames=24, codec="h264", has_audio=False
    )
    with pytest.raises(AttributeError):
        info.width = 4


def test_timecode_and_wrap() -> None:
    assert timecode(0, 24) == "00:00:00:00"
    assert timecode(24 * 3661 + 5, 24) == "01:01:01:05"
    from PIL import ImageFont

    font = ImageFont.load_default()
    lines = wrap("a " * 200, font, 100, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("...")
    long_word = wrap("x" * 100, font, 60, 10)
    assert all(font.getlength(line) <= 60 for line in long_word)
    assert "".join(long_word) == "x" * 100
    assert wrap("", font, 60, 2) == [""]
