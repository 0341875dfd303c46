"""The neutral job values every provider's parser returns: jobs, statuses, outputs, errors."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ._public import public

__all__ = ["Job", "JobError", "JobStatus", "Output", "Usage"]


@public
class JobStatus(str, enum.Enum):
    """Where a job is in its life. Every provider's statuses map onto these.

    A status vidgen has never seen maps to `UNKNOWN`, which is not terminal: a waiting
    client keeps polling rather than crash or give up on a paid job.
    """

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        """True once the job will not change any more."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)

    def __str__(self) -> str:
        return self.value


@public
@attrs.frozen(kw_only=True)
class Output:
    """One downloadable result of a job.

    Attributes:
        kind: ``"video"`` (or ``"thumbnail"``, ...).
        url: a direct URL, where the provider returns one.
        ref: the provider's content reference (a video or generation id), where it has no URL.
        index: the position among the job's outputs (its variant number).
        expires_at: when the provider deletes it, if known.
    """

    kind: str = "video"
    url: str | None = None
    ref: str | None = None
    index: int = 0
    expires_at: dt.datetime | None = None


@public
@attrs.frozen(kw_only=True)
class JobError:
    """Why a job failed.

    Attributes:
        code: vidgen's neutral code: ``"content_policy"``, ``"server_error"``,
            ``"generation_failed"``, ...
        message: the provider's explanation.
        provider_code: the provider's own code, unchanged.
    """

    code: str
    message: str
    provider_code: str | None = None


@public
@attrs.frozen(kw_only=True)
class Usage:
    """What the provider reports it billed or used for a job, as it reports it.

    Every field is optional: each provider reports something different (OpenRouter a cost
    in dollars, Ark and Gemini tokens, Kling units, Replicate seconds of prediction time).

    Attributes:
        cost: the amount billed, in ``currency``, where the provider states it.
        currency: ISO code of ``cost``.
        tokens: tokens billed (video tokens, output tokens).
        units: the provider's own billing units (credits, unit deductions).
        seconds: seconds billed (of video, or of compute).
        note: what the figures mean, in the provider's terms.
    """

    cost: Decimal | None = None
    currency: str | None = None
    tokens: int | None = None
    units: Decimal | None = None
    seconds: float | None = None
    note: str | None = None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("Job timestamps must be timezone-aware datetimes")
    return value


def _outputs(value: Iterable[Output]) -> tuple[Output, ...]:
    return tuple(value)


#: The longest job id accepted. Providers' ids are tens of characters.
_MAX_JOB_ID_LENGTH = 1024


def _check_job_id(_: Any, __: Any, value: Any) -> None:
    """Refuse a job id that cannot be one: empty, huge, or with control characters.

    A job id comes from the provider and goes into URLs, file names, logs and the ledger:
    NUL, newlines and other control characters have no business in any of them.

    Raises:
        TypeError: not a string.
        ValueError: empty, blank, longer than 1024 characters, or with a control
            character (parsers turn this into `ProtocolError`).
    """
    if not isinstance(value, str):
        raise TypeError(f"a job id must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ValueError("a job id must not be empty")
    if len(value) > _MAX_JOB_ID_LENGTH:
        raise ValueError(f"a job id of {len(value)} characters is not plausible")
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cs")), None)
    if bad is not None:
        raise ValueError(f"job id {value[:80]!r} contains the control character {bad!r}")


@public
@attrs.frozen(kw_only=True)
class Job:
    """A video job as the provider last reported it.

    Attributes:
        id: the provider's job id (not empty; no control characters).
        provider: the provider's registered name.
        model: the model that renders it.
        status: the neutral status.
        progress: 0..100, or None where the provider does not say.
        created_at, completed_at, expires_at: aware datetimes, or None.
        outputs: what can be downloaded, once the job succeeded.
        error: why it failed, once it failed.
        seconds: the video length, where known.
        size: ``"WIDTHxHEIGHT"``, where known.
        profile: the config profile that submitted it, where there was one.
        request_id: the provider's request id of the response this state came from.
        usage: what the provider reports it billed or used, where it says.
        raw: the provider's JSON, for anything the neutral schema has no field for.
    """

    id: str = attrs.field(validator=_check_job_id)
    provider: str
    model: str | None = None
    status: JobStatus = JobStatus.UNKNOWN
    progress: int | None = None
    created_at: dt.datetime | None = attrs.field(default=None, converter=_aware)
    completed_at: dt.datetime | None = attrs.field(default=None, converter=_aware)
    expires_at: dt.datetime | None = attrs.field(default=None, converter=_aware)
    outputs: tuple[Output, ...] = attrs.field(default=(), converter=_outputs)
    error: JobError | None = None
    seconds: int | None = None
    size: str | None = None
    profile: str | None = None
    request_id: str | None = None
    usage: Usage | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False, hash=False)

    @property
    def is_terminal(self) -> bool:
        """True once the job will not change any more."""
        return self.status.is_terminal

    def describe(self) -> str:
        """One line for people: id, status, progress and error."""
        text = f"{self.provider} job {self.id}: {self.status.value}"
        if self.progress is not None and not self.is_terminal:
            text += f" ({self.progress}%)"
        if self.error is not None:
            text += f": {self.error.message} [{self.error.code}]"
        return text
