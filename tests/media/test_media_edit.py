"""Fitting reference images and joining clips (issue 15)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from vidgen.media import concat_videos, fit_image, probe_video, render_video
from vidgen.testing import png_bytes

PIL = pytest.importorskip("PIL.Image")


def picture(width: int, height: int, *, fmt: str = "PNG", orientation: int | None = None) -> bytes:
    image = PIL.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    if orientation is not None:
        exif = PIL.Exif()
        exif[0x0112] = orientation
        image.save(out, fmt, exif=exif.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    return PIL.open(io.BytesIO(data)).size  # type: ignore[no-any-return]


def test_an_image_of_the_right_size_and_format_is_sent_as_it_is() -> None:
    data = png_bytes(1280, 720)
    fitted = fit_image(
        data, mime="image/png", size=(1280, 720), policy="crop", formats=["image/png"]
    )
    assert fitted.data is data
    assert fitted.changes == ()


@pytest.mark.parametrize(("policy", "word"), [("crop", "cropped"), ("pad", "letterboxed")])
def test_another_shape_is_fitted_to_the_exact_size(policy: str, word: str) -> None:
    fitted = fit_image(
        picture(1024, 1024),
        mime="image/png",
        size=(1280, 720),
        policy=policy,  # type: ignore[arg-type]
        formats=["image/png", "image/jpeg"],
    )
    assert size_of(fitted.data) == (1280, 720)
    assert (fitted.width, fitted.height) == (1280, 720)
    assert any(change.startswith(word) for change in fitted.changes)


def test_exif_orientation_is_applied() -> None:
    # Orientation 6: stored landscape, shown portrait.
    fitted = fit_image(
        picture(800, 600, fmt="JPEG", orientation=6),
        mime="image/jpeg",
        size=None,
        policy="crop",
        formats=["image/jpeg"],
    )
    assert size_of(fitted.data) == (600, 800)
    assert fitted.changes[0].startswith("turned upright")


def test_a_format_the_model_does_not_take_is_converted() -> None:
    fitted = fit_image(
        picture(64, 64, fmt="GIF"),
        mime="image/gif",
        size=None,
        policy="crop",
        formats=["image/png"],
    )
    assert fitted.mime == "image/png"
    assert fitted.data.startswith(b"\x89PNG")
    assert "converted image/gif to image/png" in fitted.changes


def test_an_image_over_the_byte_limit_is_recompressed() -> None:
    import random

    rng = random.Random(1)
    noisy = PIL.frombytes(
        "RGB", (600, 600), bytes(rng.randrange(256) for _ in range(600 * 600 * 3))
    )
    out = io.BytesIO()
    noisy.save(out, "PNG")
    fitted = fit_image(
        out.getvalue(),
        mime="image/png",
        size=None,
        policy="crop",
        formats=["image/png", "image/jpeg"],
        max_bytes=200_000,
    )
    assert len(fitted.data) <= 200_000
    assert fitted.mime == "image/jpeg"


def test_a_truncated_image_is_refused() -> None:
    data = picture(300, 200)
    with pytest.raises(ValueError, match="cannot be decoded"):
        fit_image(
            data[: len(data) // 2],
            mime="image/png",
            size=None,
            policy="crop",
            formats=["image/png"],
        )


def test_matching_clips_are_joined_by_copying(tmp_path: Path) -> None:
    clips = []
    for index, seconds in enumerate((1, 2, 1)):
        clip = tmp_path / f"{index}.mp4"
        render_video(
            clip, width=160, height=90, seconds=seconds, title=str(index), seed=index, audio=True
        )
        clips.append(clip)
    result = concat_videos(clips, tmp_path / "film.mp4")
    assert result.method == "copy"
    info = probe_video(tmp_path / "film.mp4")
    assert info.frames == 4 * 24
    assert info.duration == pytest.approx(4.0, abs=0.05)
    assert info.has_audio
    assert not list(tmp_path.glob(".*joining"))


def test_different_clips_are_encoded_again(tmp_path: Path) -> None:
    first, second = tmp_path / "a.mp4", tmp_path / "b.mp4"
    render_video(first, width=160, height=90, seconds=1, title="a", seed=1, audio=False)
    render_video(second, width=320, height=180, seconds=1, title="b", seed=2, audio=True)
    result = concat_videos([first, second], tmp_path / "film.mp4")
    assert result.method == "reencode"
    assert result.reason is not None
    assert "width" in result.reason
    info = probe_video(tmp_path / "film.mp4")
    assert (info.width, info.height) == (160, 90)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert info.has_audio  # the silent clip got silence, the other kept its sound


def test_joining_nothing_or_a_non_video_is_refused(tmp_path: Path) -> None:
    import vidgen

    with pytest.raises(ValueError, match="no clips"):
        concat_videos([], tmp_path / "film.mp4")
    bogus = tmp_path / "bogus.mp4"
    bogus.write_bytes(b"not a video")
    with pytest.raises(vidgen.ProtocolError):
        concat_videos([bogus], tmp_path / "film.mp4")
    assert not (tmp_path / "film.mp4").exists()
