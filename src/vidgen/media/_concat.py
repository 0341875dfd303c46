"""Joining clips into one video: stream copy when they match, re-encoding when they do not.

Storyboards render shot by shot; the film is the shots back to back. Clips from one model
usually share codec, size and frame rate, and then their packets are copied as they are
(no quality lost, seconds instead of minutes). Otherwise every clip is decoded and encoded
again as H.264 (and AAC when any clip has sound) at the first clip's size and rate, with
silence where a clip has none. The result is written beside the target and renamed into
place only when complete.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from .._exceptions import ProtocolError
from ._deps import require_av

__all__ = ["ConcatResult", "concat_videos"]

_AUDIO_RATE = 48_000


@attrs.frozen(kw_only=True)
class ConcatResult:
    """How clips were joined.

    Attributes:
        path: the joined file.
        method: ``"copy"`` (packets copied) or ``"reencode"``.
        reason: why the clips had to be encoded again (None for a copy).
    """

    path: Path
    method: str
    reason: str | None = None


def _signature(container: Any) -> tuple[Any, ...]:
    video = container.streams.video[0]
    ctx = video.codec_context
    audio = container.streams.audio
    sound = None
    if audio:
        actx = audio[0].codec_context
        sound = (actx.name, actx.sample_rate, actx.layout.name if actx.layout else None)
    rate = video.average_rate or video.guessed_rate
    return (ctx.name, ctx.width, ctx.height, ctx.pix_fmt, rate, sound)


def _difference(first: tuple[Any, ...], other: tuple[Any, ...], name: str) -> str:
    labels = ("codec", "width", "height", "pixel format", "frame rate", "audio")
    for label, a, b in zip(labels, first, other, strict=True):
        if a != b:
            return f"{name} differs in {label} ({b} vs {a})"
    return ""


def concat_videos(
    clips: Sequence[str | os.PathLike[str]], target: str | os.PathLike[str]
) -> ConcatResult:
    """Join ``clips`` in order into ``target`` (MP4), atomically.

    Raises:
        ConfigError: PyAV is not installed (the message names the extra).
        ProtocolError: a clip is not a readable video.
        ValueError: no clips.
    """
    if not clips:
        raise ValueError("nothing to join: no clips")
    av = require_av()
    paths = [Path(clip) for clip in clips]
    out = Path(target)
    part = out.with_name(f".{out.name}.joining")
    signatures = []
    for path in paths:
        try:
            with av.open(str(path)) as container:
                if not container.streams.video:
                    raise ProtocolError(f"{path} has no video stream", body=str(path))
                signatures.append(_signature(container))
        except av.error.FFmpegError as exc:
            raise ProtocolError(f"{path} is not a readable video: {exc}", body=str(path)) from exc
    reason = next(
        (
            why
            for path, sig in zip(paths[1:], signatures[1:], strict=True)
            if (why := _difference(signatures[0], sig, path.name))
        ),
        None,
    )
    try:
        if reason is None:
            _copy(av, paths, part)
        else:
            _reencode(av, paths, part, any(sig[5] is not None for sig in signatures))
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return ConcatResult(path=out, method="copy" if reason is None else "reencode", reason=reason)


def _copy(av: Any, paths: Sequence[Path], part: Path) -> None:
    with av.open(str(part), "w", format="mp4", options={"movflags": "+faststart"}) as output:
        outs: dict[str, Any] = {}
        offset = Fraction(0)  # where the current clip starts, in seconds
        last_dts: dict[str, Fraction] = {}  # per stream kind, in seconds
        for index, path in enumerate(paths):
            with av.open(str(path)) as container:
                streams = [container.streams.video[0], *container.streams.audio[:1]]
                if index == 0:
                    for stream in streams:
                        outs[stream.type] = output.add_stream_from_template(stream)
                end = Fraction(0)
                bump: dict[str, int] = {}
                for packet in container.demux(streams):
                    if packet.dts is None:
                        continue  # the flush packet at the end of a stream
                    base = packet.time_base
                    kind = packet.stream.type
                    # Shift past the clips before, in this packet's own time base; muxing
                    # rescales it to the output stream's.
                    shift = round(offset / base)
                    if kind not in bump:
                        # An encoder's priming (a negative first dts) may reach back into
                        # the clip before: push this stream on until its dts keep rising.
                        earlier = last_dts.get(kind)
                        start = Fraction(packet.dts + shift) * base
                        bump[kind] = (
                            0
                            if earlier is None or start > earlier
                            else int((earlier - start) / base) + 1
                        )
                    shift += bump[kind]
                    packet.dts += shift
                    if packet.pts is not None:
                        packet.pts += shift
                    last_dts[kind] = Fraction(packet.dts) * base
                    stamp = packet.pts if packet.pts is not None else packet.dts
                    end = max(end, Fraction(stamp + (packet.duration or 0)) * base)
                    packet.stream = outs[packet.stream.type]
                    output.mux(packet)
                offset = end


def _reencode(av: Any, paths: Sequence[Path], part: Path, with_audio: bool) -> None:
    with av.open(str(paths[0])) as first:
        stream = first.streams.video[0]
        width = stream.codec_context.width
        height = stream.codec_context.height
        rate = stream.average_rate or stream.guessed_rate or Fraction(24)
    fps = Fraction(rate).limit_denominator(1001)
    with av.open(str(part), "w", format="mp4", options={"movflags": "+faststart"}) as output:
        video = output.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "20"}
        sound = output.add_stream("aac", rate=_AUDIO_RATE, layout="stereo") if with_audio else None
        resampler = (
            av.AudioResampler(format="fltp", layout="stereo", rate=_AUDIO_RATE) if sound else None
        )
        frame_index = 0
        audio_samples = 0
        for path in paths:
            clip_frames = 0
            with av.open(str(path)) as container:
                source = container.streams.video[0]
                for frame in container.decode(source):
                    out = frame.reformat(width=width, height=height, format="yuv420p")
                    out.pts = frame_index
                    out.time_base = 1 / fps
                    output.mux(video.encode(out))
                    frame_index += 1
                    clip_frames += 1
            if sound is None or resampler is None:
                continue
            clip_end = round(frame_index / fps * _AUDIO_RATE)
            with av.open(str(path)) as container:
                if container.streams.audio:
                    for frame in container.decode(container.streams.audio[0]):
                        for chunk in resampler.resample(frame):
                            if audio_samples >= clip_end:
                                break
                            chunk.pts = audio_samples
                            chunk.time_base = Fraction(1, _AUDIO_RATE)
                            audio_samples += chunk.samples
                            output.mux(sound.encode(chunk))
            # Silence up to the end of this clip's pictures (a silent clip, a short track).
            while audio_samples < clip_end:
                count = min(1024, clip_end - audio_samples)
                silence = av.AudioFrame(format="fltp", layout="stereo", samples=count)
                for plane in silence.planes:
                    plane.update(bytes(plane.buffer_size))
                silence.sample_rate = _AUDIO_RATE
                silence.pts = audio_samples
                silence.time_base = Fraction(1, _AUDIO_RATE)
                audio_samples += count
                output.mux(sound.encode(silence))
        output.mux(video.encode(None))
        if sound is not None:
            output.mux(sound.encode(None))
