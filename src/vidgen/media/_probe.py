"""Read what a video file really is: size, duration, frame rate, streams, last frame."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import attrs

from .._exceptions import ProtocolError
from ._deps import require_av, require_video

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["VideoInfo", "last_frame", "probe_video"]

# Seek this far before the end to find the last frame without decoding the whole file.
_TAIL_SECONDS = 2.0


@attrs.frozen(kw_only=True)
class VideoInfo:
    """What `probe_video` found in a file.

    Attributes:
        width: frame width in pixels.
        height: frame height in pixels.
        duration: the video stream's duration in seconds.
        fps: average frames per second.
        frames: number of video frames.
        codec: the video codec (``"h264"``).
        has_audio: whether the file has an audio stream.
        audio_codec: the first audio stream's codec (``"aac"``), or None.
    """

    width: int
    height: int
    duration: float
    fps: float
    frames: int
    codec: str
    has_audio: bool
    audio_codec: str | None = None


def _open(av: Any, path: str | os.PathLike[str]) -> Any:
    try:
        return av.open(os.fspath(path))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise ProtocolError(
            f"{os.fspath(path)} is not a video file that can be read: {exc}", body=os.fspath(path)
        ) from exc


def _video_stream(container: Any, path: str | os.PathLike[str]) -> Any:
    if not container.streams.video:
        raise ProtocolError(f"{os.fspath(path)} has no video stream", body=os.fspath(path))
    return container.streams.video[0]


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Width, height, duration, frame rate, frame count, codecs and audio of a video file.

    Raises:
        ConfigError: PyAV is not installed (the message says ``pip install 'vidgen[video]'``).
        ProtocolError: the file is not a video PyAV can read, or has no video stream.
    """
    av = require_av()
    with _open(av, path) as container:
        stream = _video_stream(container, path)
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = 0.0
        frames = int(stream.frames or 0)
        if frames == 0:
            # Some containers do not store a count: count the packets instead.
            frames = sum(1 for packet in container.demux(stream) if packet.size)
        audio = container.streams.audio
        return VideoInfo(
            width=int(stream.codec_context.width),
            height=int(stream.codec_context.height),
            duration=duration,
            fps=fps,
            frames=frames,
            codec=str(stream.codec_context.name),
            has_audio=bool(audio),
            audio_codec=str(audio[0].codec_context.name) if audio else None,
        )


def last_frame(path: str | os.PathLike[str]) -> Image.Image:
    """The last frame of a video, as an RGB Pillow image (for storyboard continuity).

    Raises:
        ConfigError: PyAV or Pillow is not installed.
        ProtocolError: the file is not a readable video, or has no frames.
    """
    av, _ = require_video()
    last = None
    with _open(av, path) as container:
        stream = _video_stream(container, path)
        if stream.duration is not None and stream.time_base is not None:
            tail = float(stream.duration * stream.time_base) - _TAIL_SECONDS
            if tail > 0:
                # Seeking lands on the keyframe before this point; decoding goes on from there.
                container.seek(int(tail / stream.time_base), stream=stream, backward=True)
        for frame in container.decode(stream):
            last = frame
    if last is None:
        # The seek went past every frame (a file with a wrong duration): read it all.
        with _open(av, path) as container:
            for frame in container.decode(_video_stream(container, path)):
                last = frame
    if last is None:
        raise ProtocolError(f"{os.fspath(path)} has no video frames", body=os.fspath(path))
    image: Image.Image = last.to_image()
    return image
