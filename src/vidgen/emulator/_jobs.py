"""Emulated jobs: their records, their state at any moment, and where they are kept.

A job's record is written once when it is created (plus a flag or two later) and holds
its schedule as absolute times on the emulator's clock: when it leaves the queue and when
it finishes. Its state at any moment is a pure function of the record and that moment
(`state_at`), so nothing needs to tick, and a new emulator process that reads the record
from the state folder sees exactly the job the old one would have.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
import cattrs

__all__ = ["JobRecord", "JobState", "JobStore", "ModelProfile", "Timing", "state_at"]

Outcome = Literal["complete", "fail", "never"]
Status = Literal["queued", "in_progress", "completed", "failed"]

#: Job and output ids are used as file names: only these characters are accepted.
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def _not_negative(_: Any, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, not {value!r}")


@attrs.frozen(kw_only=True)
class Timing:
    """How long jobs take, in emulated seconds (divided by the emulator's ``speed``).

    A job is queued for ``queue`` seconds, then in progress for ``render_base`` plus
    ``render_per_second`` for each second of video, with progress rising linearly. The
    defaults finish an 8-second video in about 3.4 seconds at speed 1.

    Attributes:
        queue: seconds in the queue.
        render_base: fixed seconds of rendering.
        render_per_second: rendering seconds per second of video.
        retention: seconds from completion until the content expires (24 hours).
        poll_after: the polling interval the emulator suggests (``openai-poll-after-ms``).
    """

    queue: float = attrs.field(default=0.5, validator=_not_negative)
    render_base: float = attrs.field(default=0.5, validator=_not_negative)
    render_per_second: float = attrs.field(default=0.3, validator=_not_negative)
    retention: float = attrs.field(default=86_400.0, validator=_not_negative)
    poll_after: float = attrs.field(default=1.0, validator=_not_negative)


def _durations(value: Any) -> tuple[int, ...] | None:
    return None if value is None else tuple(int(item) for item in value)


def _sizes(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(item) for item in value)


def _synthetic(_: Any, __: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(
            f"synthetic_bytes must be a whole number of bytes, 1 or more, not {value!r}"
        )


@attrs.frozen(kw_only=True)
class ModelProfile:
    """What the emulator does for one model id.

    Attributes:
        audio: whether its videos have an audio track.
        fps: frames per second of its videos.
        durations: the only ``seconds`` it accepts (None: any from 1 to 60).
        sizes: the only ``WxH`` sizes it accepts (None: any even size from 16 to 3840).
        synthetic_bytes: a benchmarking aid, not a video: every job of this model serves
            exactly this many bytes of a fixed synthetic pattern as its video content,
            made once per size without rendering (so a benchmark measures the transfer,
            not the encoder). Thumbnails and sprite sheets are still rendered. None (the
            default) serves real rendered videos.
    """

    audio: bool = True
    fps: int = attrs.field(default=24, validator=attrs.validators.in_(range(1, 121)))
    durations: tuple[int, ...] | None = attrs.field(default=None, converter=_durations)
    sizes: tuple[str, ...] | None = attrs.field(default=None, converter=_sizes)
    synthetic_bytes: int | None = attrs.field(default=None, validator=_synthetic)


#: The built-in model table; any other model id gets ``ModelProfile()``.
DEFAULT_MODELS: Mapping[str, ModelProfile] = {
    "sora-2": ModelProfile(audio=True),
    "sora-2-pro": ModelProfile(audio=True),
    # Azure's Sora 1 jobs API made silent videos.
    "sora": ModelProfile(audio=False),
}


@attrs.frozen(kw_only=True)
class JobRecord:
    """Everything the emulator keeps about a job (its JSON file in the state folder).

    Times are on the emulator's clock (unix seconds with the default clock).
    """

    id: str
    api: str  # "videos", "aivideoapi" or "azure-jobs": the routes that may see the job
    protocol: str  # "openai", "aivideoapi" or "azure": for stats and fault matching
    seq: int
    model: str
    prompt: str
    seconds: int
    width: int
    height: int
    created_at: float
    started_at: float
    finishes_at: float
    expires_after: float
    outcome: Outcome = "complete"
    #: One id per output (Azure generation ids; the job id for one-output protocols); it
    #: names the output's rendered files and seeds their look.
    outputs: tuple[str, ...] = ()
    callback_url: str | None = None
    callback_sent: bool = False
    reference: str | None = None  # a description of the reference image, if any
    aspect_ratio: str | None = None
    #: Where the client reached the emulator (output URLs in callbacks point there).
    origin: str | None = None


@attrs.frozen(kw_only=True)
class JobState:
    """A job's state at one moment (see `state_at`)."""

    status: Status
    progress: int
    #: The stage within the phase, 0 to 1 (protocols with several names for a phase).
    stage: float
    completed_at: float | None = None
    expires_at: float | None = None

    @property
    def done(self) -> bool:
        """True once completed or failed."""
        return self.status in ("completed", "failed")


def state_at(record: JobRecord, now: float) -> JobState:
    """The state of the job of ``record`` at time ``now``: a pure function."""
    if now < record.started_at:
        span = record.started_at - record.created_at
        stage = (now - record.created_at) / span if span > 0 else 0.0
        return JobState(status="queued", progress=0, stage=max(0.0, stage))
    span = record.finishes_at - record.started_at
    fraction = (now - record.started_at) / span if span > 0 else 1.0
    if record.outcome == "never" or fraction < 1.0:
        # Never-finishing jobs creep up to 99 % and stay there.
        return JobState(
            status="in_progress",
            progress=max(0, min(99, int(fraction * 100))),
            stage=min(1.0, fraction),
        )
    if record.outcome == "fail":
        return JobState(status="failed", progress=0, stage=1.0, completed_at=record.finishes_at)
    return JobState(
        status="completed",
        progress=100,
        stage=1.0,
        completed_at=record.finishes_at,
        expires_at=record.finishes_at + record.expires_after,
    )


_converter = cattrs.Converter()


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class JobStore:
    """The jobs, in memory and (with a state folder) as one JSON file each.

    Every write goes to a temporary file that is renamed into place, so a crash never
    leaves half a record. A job not in memory is looked for on disk, so an emulator
    process sees jobs another process created in the same folder.
    """

    def __init__(self, state_dir: Path | None) -> None:
        self._lock = threading.RLock()
        self._jobs: dict[str, JobRecord] = {}
        self._by_output: dict[str, str] = {}
        self._folder = state_dir / "jobs" if state_dir is not None else None
        self._seq = 0
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)
            for path in sorted(self._folder.glob("*.json")):
                record = self._read(path)
                if record is not None:
                    self._remember(record)

    def _read(self, path: Path) -> JobRecord | None:
        try:
            return _converter.structure(json.loads(path.read_bytes()), JobRecord)
        except (OSError, ValueError, TypeError, cattrs.BaseValidationError):
            return None  # a foreign or damaged file is not a job

    def _remember(self, record: JobRecord) -> None:
        self._jobs[record.id] = record
        for output in record.outputs:
            self._by_output[output] = record.id
        self._seq = max(self._seq, record.seq)

    def next_seq(self) -> int:
        """A number larger than every job's so far (orders jobs created in one second)."""
        with self._lock:
            self._seq += 1
            return self._seq

    def put(self, record: JobRecord) -> None:
        """Add or replace a record, on disk first."""
        with self._lock:
            if self._folder is not None:
                data = json.dumps(_converter.unstructure(record), indent=1).encode()
                _write_atomically(self._folder / f"{record.id}.json", data)
            self._remember(record)

    def get(self, job_id: str) -> JobRecord | None:
        """The record of ``job_id``, from memory or the state folder."""
        with self._lock:
            record = self._jobs.get(job_id)
            if record is None and self._folder is not None and SAFE_ID.match(job_id):
                path = self._folder / f"{job_id}.json"
                record = self._read(path) if path.exists() else None
                if record is not None:
                    self._remember(record)
            return record

    def by_output(self, output_id: str, job_id: str | None = None) -> JobRecord | None:
        """The record that has output ``output_id`` (``job_id``: where to look on disk)."""
        with self._lock:
            known = self._by_output.get(output_id)
            record = self.get(known or job_id or "")
            if record is not None and output_id in record.outputs:
                return record
            return None

    def delete(self, job_id: str) -> None:
        """Forget a job, on disk too."""
        with self._lock:
            record = self._jobs.pop(job_id, None)
            if record is not None:
                for output in record.outputs:
                    self._by_output.pop(output, None)
            if self._folder is not None and SAFE_ID.match(job_id):
                (self._folder / f"{job_id}.json").unlink(missing_ok=True)

    def loaded(self) -> list[JobRecord]:
        """The jobs in memory (no look at the folder: cheap enough to call often)."""
        with self._lock:
            return list(self._jobs.values())

    def all(self) -> list[JobRecord]:
        """Every job, oldest first."""
        with self._lock:
            if self._folder is not None:
                for path in self._folder.glob("*.json"):
                    if path.stem not in self._jobs:
                        record = self._read(path)
                        if record is not None:
                            self._remember(record)
            return sorted(self._jobs.values(), key=lambda record: (record.created_at, record.seq))
