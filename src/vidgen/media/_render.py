"""Render real, playable test videos: H.264 in MP4, with an optional AAC tone.

The encoder never converts whole frames: the background is converted to YUV planes once,
and each frame pastes a few small converted rectangles (`Scene.patches`) into copies of
those planes. Converting is done by Pillow (full-range BT.601) and then squeezed into the
limited range that H.264 players assume, so colours come out as drawn.
"""

from __future__ import annotations

import functools
import io
import math
import os
import shutil
import tempfile
from array import array
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ._deps import require_pillow, require_video
from ._scene import Scene, even, tone_period

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["render_spritesheet", "render_thumbnail", "render_video"]

SAMPLE_RATE = 48_000
#: Samples per AAC frame.
_AUDIO_FRAME = 1024
_MAX_SIDE = 8192
_MAX_SECONDS = 3600.0

# Pillow's YCbCr is full range (0-255); H.264 players assume limited range (16-235/240).
_Y_LUT = [16 + round(v * 219 / 255) for v in range(256)]
_C_LUT = [128 + round((v - 128) * 224 / 255) for v in range(256)]


def _check(width: int, height: int, seconds: float, fps: int) -> tuple[int, int, int]:
    """The even size and the frame count, or ValueError for impossible arguments."""
    if not (1 <= width <= _MAX_SIDE and 1 <= height <= _MAX_SIDE):
        raise ValueError(f"width and height must be 1 to {_MAX_SIDE} pixels, not {width}x{height}")
    if not (isinstance(fps, int) and 1 <= fps <= 240):
        raise ValueError(f"fps must be a whole number from 1 to 240, not {fps!r}")
    if not (math.isfinite(seconds) and 0 < seconds <= _MAX_SECONDS):
        raise ValueError(
            f"seconds must be more than 0 and at most {_MAX_SECONDS:g}, not {seconds!r}"
        )
    return even(width), even(height), max(1, round(seconds * fps))


def _planes(image: Image.Image) -> tuple[Image.Image, Image.Image, Image.Image]:
    """Y (full size), U and V (half size) of an RGB image with even sides, limited range."""
    from PIL import Image

    luma, blue, red = image.convert("YCbCr").split()
    half = (image.width // 2, image.height // 2)
    return (
        luma.point(_Y_LUT),
        blue.resize(half, Image.Resampling.BOX).point(_C_LUT),
        red.resize(half, Image.Resampling.BOX).point(_C_LUT),
    )


def _plane_bytes(image: Image.Image, line_size: int) -> bytes:
    """The rows of a one-channel image, padded to FFmpeg's aligned line size."""
    data = image.tobytes()
    if line_size == image.width:
        return data
    pad = bytes(line_size - image.width)
    width = image.width
    return b"".join(data[row * width : (row + 1) * width] + pad for row in range(image.height))


def _tone(seed: int | str, samples: int) -> bytes:
    """Mono float32 samples: a steady tone (pitch from the seed) with a short higher pip
    at the start of every second, so a listener hears both which job and where in it."""
    period = tone_period(seed)
    cycle = array("f", (0.2 * math.sin(2 * math.pi * k / period) for k in range(period)))
    pcm = bytearray((cycle.tobytes() * (samples // period + 1))[: samples * 4])
    pip_cycle = array("f", (0.35 * math.sin(2 * math.pi * k / 48) for k in range(48))).tobytes()
    pip_samples = SAMPLE_RATE // 16
    pip = (pip_cycle * (pip_samples // 48 + 1))[: pip_samples * 4]
    for start in range(0, samples, SAMPLE_RATE):
        end = min(samples, start + pip_samples)
        pcm[start * 4 : end * 4] = pip[: (end - start) * 4]
    return bytes(pcm)


def _audio_frames(av: Any, pcm: bytes) -> Iterator[Any]:
    """AAC-sized frames of ``pcm``, with sample timestamps."""
    total = len(pcm) // 4
    for start in range(0, total, _AUDIO_FRAME):
        count = min(_AUDIO_FRAME, total - start)
        frame = av.AudioFrame(format="fltp", layout="mono", samples=count)
        chunk = pcm[start * 4 : (start + count) * 4]
        plane = frame.planes[0]
        plane.update(chunk + bytes(plane.buffer_size - len(chunk)))
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        frame.time_base = Fraction(1, SAMPLE_RATE)
        yield frame


def _encode(
    target: str,
    *,
    width: int,
    height: int,
    frames: int,
    fps: int,
    title: str,
    seed: int | str,
    audio: bool,
) -> None:
    av, _ = require_video()
    scene = Scene(width=width, height=height, fps=fps, frames=frames, title=title, seed=seed)
    background = scene.background()
    base = _planes(background)
    # faststart moves the index to the front so a player can start before the end arrives.
    with av.open(target, "w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=fps)
        video.width = width
        video.height = height
        video.pix_fmt = "yuv420p"
        video.options = {"preset": "veryfast", "crf": "26"}
        sound = None
        samples = 0
        pending: Iterator[Any] = iter(())
        if audio:
            sound = container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
            samples = round(frames * SAMPLE_RATE / fps)
            pending = _audio_frames(av, _tone(seed, samples))
        next_audio = next(pending, None)
        for index in range(frames):
            luma, blue, red = (plane.copy() for plane in base)
            for box, patch in scene.patches(index, background):
                y, u, v = _planes(patch)
                luma.paste(y, box[:2])
                blue.paste(u, (box[0] // 2, box[1] // 2))
                red.paste(v, (box[0] // 2, box[1] // 2))
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane, image in zip(frame.planes, (luma, blue, red), strict=True):
                plane.update(_plane_bytes(image, plane.line_size))
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            container.mux(video.encode(frame))
            # Interleave: audio up to the end of this video frame.
            until = (index + 1) * SAMPLE_RATE / fps
            while sound is not None and next_audio is not None and next_audio.pts < until:
                container.mux(sound.encode(next_audio))
                next_audio = next(pending, None)
        container.mux(video.encode(None))
        if sound is not None:
            while next_audio is not None:
                container.mux(sound.encode(next_audio))
                next_audio = next(pending, None)
            container.mux(sound.encode(None))


def render_video(
    target: str | os.PathLike[str] | BinaryIO,
    *,
    width: int,
    height: int,
    seconds: float,
    fps: int = 24,
    title: str,
    seed: int | str,
    audio: bool = False,
) -> None:
    """Render a test video: H.264 (yuv420p) in MP4, with an AAC tone if ``audio``.

    The picture is a title card with ``title`` (wrapped), a running time code
    (``HH:MM:SS:FF``), a progress bar, and a moving shape; colours, shape, path and the
    tone's pitch come from ``seed``. The same arguments always give the same pictures.

    Odd sizes are rounded up to the next even number (yuv420p stores colour at half
    resolution, so H.264 needs even sides): ``width=481`` gives a 482-pixel-wide video.
    The video has ``round(seconds * fps)`` frames (at least one), so its duration is
    ``seconds`` to within half a frame.

    Args:
        target: a path (written atomically: a temporary file is renamed into place) or
            a binary file object open for writing.
        width: frame width in pixels, 1 to 8192.
        height: frame height in pixels, 1 to 8192.
        seconds: duration, more than 0 and at most an hour.
        fps: frames per second, a whole number from 1 to 240.
        title: the text on the title card, usually the prompt.
        seed: anything; decides the look and the tone.
        audio: add a mono 48 kHz AAC track.

    Raises:
        ConfigError: PyAV or Pillow is not installed (the message says
            ``pip install 'vidgen[video]'``).
        ValueError: a size, duration or frame rate out of range.
    """
    require_video()
    width, height, frames = _check(width, height, seconds, fps)
    encode = functools.partial(
        _encode,
        width=width,
        height=height,
        frames=frames,
        fps=fps,
        title=title,
        seed=seed,
        audio=audio,
    )
    if isinstance(target, (str, os.PathLike)):
        path = Path(target)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".part", dir=path.parent
        )
        os.close(handle)
        try:
            encode(temporary)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return
    # faststart rewrites the file after encoding, which needs a real, seekable file.
    with tempfile.TemporaryDirectory(prefix="vidgen-render-") as folder:
        temporary = os.path.join(folder, "video.mp4")
        encode(temporary)
        with open(temporary, "rb") as rendered:
            shutil.copyfileobj(rendered, target)


def _scene(width: int, height: int, seconds: float, fps: int, title: str, seed: int | str) -> Scene:
    width, height, frames = _check(width, height, seconds, fps)
    return Scene(width=width, height=height, fps=fps, frames=frames, title=title, seed=seed)


def _encoded(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format.upper() == "WEBP":
        image.save(out, format="WEBP", quality=80)
    else:
        image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def render_thumbnail(
    *,
    width: int,
    height: int,
    seconds: float,
    fps: int = 24,
    title: str,
    seed: int | str,
    image_format: str = "JPEG",
) -> bytes:
    """One frame (from the middle) of the video `render_video` makes with these arguments.

    Needs only Pillow. ``image_format`` is ``"JPEG"`` or ``"WEBP"``.
    """
    require_pillow()
    scene = _scene(width, height, seconds, fps, title, seed)
    return _encoded(scene.still(scene.frames // 2), image_format)


def render_spritesheet(
    *,
    width: int,
    height: int,
    seconds: float,
    fps: int = 24,
    title: str,
    seed: int | str,
    columns: int = 4,
    rows: int = 4,
    tile_size: int = 160,
    image_format: str = "JPEG",
) -> bytes:
    """A grid of small frames spread evenly over the video, left to right, top to bottom.

    Each frame is scaled to fit a ``tile_size`` square. Needs only Pillow.
    """
    Image = require_pillow()
    scene = _scene(width, height, seconds, fps, title, seed)
    # Each tile fits in a tile_size square, so a tall video makes a narrow, not huge, sheet.
    longest = max(scene.width, scene.height)
    tile_width = max(1, round(tile_size * scene.width / longest))
    tile_height = max(1, round(tile_size * scene.height / longest))
    sheet = Image.new("RGB", (tile_width * columns, tile_height * rows))
    background = scene.background()
    count = columns * rows
    for n in range(count):
        frame = min(scene.frames - 1, n * scene.frames // count)
        tile = scene.still(frame, background).resize(
            (tile_width, tile_height), Image.Resampling.BILINEAR
        )
        sheet.paste(tile, ((n % columns) * tile_width, (n // columns) * tile_height))
    return _encoded(sheet, image_format)
