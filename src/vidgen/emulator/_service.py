"""The emulated service behind every protocol: clock, jobs, faults, counters, renders."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs

from ._faults import JOB_KINDS, Fault, FaultBook
from ._jobs import (
    DEFAULT_MODELS,
    JobRecord,
    JobState,
    JobStore,
    ModelProfile,
    Outcome,
    Timing,
    state_at,
)
from ._renders import RenderCache, Variant
from ._stats import Counters


def new_id(prefix: str) -> str:
    """An id in the style of the services (``video_``/``task_`` and hex)."""
    return f"{prefix}{secrets.token_hex(24 if prefix == 'video_' else 13)}"


def new_task_id() -> str:
    """An aivideoapi task id (a UUID)."""
    return str(uuid.uuid4())


class Service:
    """The state every protocol shares.

    Args:
        clock: the emulator's clock, in seconds.
        speed: emulated seconds per second of ``clock``.
        timing: how long jobs take, in emulated seconds.
        models: the model table (model id to `ModelProfile`).
        default_model: the profile of models not in the table.
        faults: the scripted faults, in order.
        state_dir: where jobs and renders are kept, or None for memory only.
        api_key: the key clients must send, or None to accept any.
        max_running: the account's cap on unfinished (queued or in progress) jobs; a
            submit over it is answered 429, as vendors do. None for no cap.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        speed: float,
        timing: Timing,
        models: Mapping[str, ModelProfile],
        default_model: ModelProfile,
        faults: tuple[Fault, ...],
        state_dir: Path | None,
        api_key: str | None,
        max_running: int | None = None,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be more than 0, not {speed!r}")
        self.clock = clock
        self.speed = speed
        self.timing = timing
        self.models = {**DEFAULT_MODELS, **models}
        self.default_model = default_model
        self.api_key = api_key
        if max_running is not None and (isinstance(max_running, bool) or max_running < 1):
            raise ValueError(f"max_running must be 1 or more, or None; not {max_running!r}")
        self.max_running = max_running
        self.state_dir = state_dir
        self.jobs = JobStore(state_dir)
        self.faults = FaultBook(faults)
        self.counters = Counters()
        self.renders = RenderCache(state_dir)
        self._executor = ThreadPoolExecutor(
            max_workers=2, thread_name_prefix="vidgen-emulator-render"
        )

    def now(self) -> float:
        """The emulator's clock."""
        return self.clock()

    def profile(self, model: str) -> ModelProfile:
        """The profile of ``model``."""
        return self.models.get(model, self.default_model)

    def real(self, emulated: float) -> float:
        """Clock seconds for ``emulated`` seconds."""
        return emulated / self.speed

    def poll_after_ms(self) -> int:
        """The polling interval to suggest, in milliseconds of the clock."""
        return max(10, round(self.real(self.timing.poll_after) * 1000))

    def take_fault(
        self,
        on: str,
        protocol: str,
        kinds: frozenset[str],
        *,
        prompt: str | None = None,
        model: str | None = None,
    ) -> Fault | None:
        """Use up the first matching fault of ``kinds``, and count it."""
        fault = self.faults.take(on, protocol, kinds=kinds, prompt=prompt, model=model)
        if fault is not None:
            self.counters.fault(fault.kind)
        return fault

    def over_account_limit(self) -> bool:
        """Whether the account already has ``max_running`` unfinished jobs."""
        if self.max_running is None:
            return False
        now = self.now()
        running = sum(1 for record in self.jobs.all() if not state_at(record, now).done)
        if running >= self.max_running:
            self.counters.fault("account_limit")
            return True
        return False

    def create_job(
        self,
        *,
        job_id: str,
        api: str,
        protocol: str,
        model: str,
        prompt: str,
        seconds: int,
        width: int,
        height: int,
        outputs: tuple[str, ...],
        callback_url: str | None = None,
        reference: str | None = None,
        aspect_ratio: str | None = None,
        origin: str | None = None,
    ) -> JobRecord:
        """Create, schedule, store and count a job.

        The job's outcome (``fail_job``, ``never_finish``) is decided here, once.
        """
        fault = self.take_fault("submit", protocol, JOB_KINDS, prompt=prompt, model=model)
        outcome: Outcome = "complete"
        if fault is not None:
            outcome = "fail" if fault.kind == "fail_job" else "never"
        now = self.now()
        started = now + self.real(self.timing.queue)
        render = self.timing.render_base + self.timing.render_per_second * seconds
        record = JobRecord(
            id=job_id,
            api=api,
            protocol=protocol,
            seq=self.jobs.next_seq(),
            model=model,
            prompt=prompt,
            seconds=seconds,
            width=width,
            height=height,
            created_at=now,
            started_at=started,
            finishes_at=started + self.real(render),
            expires_after=self.real(self.timing.retention),
            outcome=outcome,
            outputs=outputs,
            callback_url=callback_url,
            reference=reference,
            aspect_ratio=aspect_ratio,
            origin=origin,
        )
        self.jobs.put(record)
        self.counters.submitted(protocol, prompt)
        return record

    def state(self, record: JobRecord) -> JobState:
        """The job's state now."""
        return state_at(record, self.now())

    def mark_callback_sent(self, record: JobRecord) -> None:
        """Remember that the job's callback went out (it is sent at most once)."""
        self.jobs.put(attrs.evolve(record, callback_sent=True))

    def delete(self, record: JobRecord) -> None:
        """Delete a job and its renders."""
        self.jobs.delete(record.id)
        self.renders.forget(record.outputs)

    async def render(
        self, record: JobRecord, output: str, variant: Variant, image_format: str = "JPEG"
    ) -> Path:
        """The file of an output, rendered in a worker thread if it is not yet made.

        Raises:
            ConfigError: PyAV or Pillow is not installed.
        """
        profile = self.profile(record.model)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor,
            lambda: self.renders.path(record, output, profile, variant, image_format),
        )

    def close(self) -> None:
        """Stop the render threads and remove temporary renders."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.renders.close()
