"""What the ledger holds about one submit: its state, its job, its download."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from typing import Any

import attrs

from .._models import Job, JobStatus, Usage
from .._public import public
from .._request import Quote
from .._serialize import converter, job_from_dict

__all__ = [
    "ACCEPTED",
    "OUTCOME_UNKNOWN",
    "REJECTED",
    "SENDING",
    "LedgerEntry",
    "SubmitState",
    "entry_from_row",
]


@public
class SubmitState(str, enum.Enum):
    """What the ledger knows about a submit (not the job's status: see `JobStatus`).

    ``OUTCOME_UNKNOWN`` means the submit may have reached the server and nobody knows
    whether a job exists; it has nothing to do with `JobStatus.UNKNOWN`.
    """

    SENDING = "sending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    OUTCOME_UNKNOWN = "outcome_unknown"

    def __str__(self) -> str:
        return self.value


SENDING = SubmitState.SENDING
ACCEPTED = SubmitState.ACCEPTED
REJECTED = SubmitState.REJECTED
OUTCOME_UNKNOWN = SubmitState.OUTCOME_UNKNOWN


@public
@attrs.frozen(kw_only=True)
class LedgerEntry:
    """One recorded submit and everything known about its job since.

    Attributes:
        ledger_id: the ledger's own number for it (``vidgen status 12``).
        created_at, updated_at: when it was recorded and last changed.
        profile, provider, model: where it went.
        endpoint: the API root it went to (job ids are unique per endpoint).
        settings: the provider's non-secret settings, to rebuild it for ``vidgen resume``.
        submit_state: `SubmitState`: sending (the process stopped before an answer),
            accepted, rejected (no job exists) or outcome unknown (a job may exist).
        submit_error: why a submit failed, if it did.
        job_id: the provider's job id, once known.
        status: the last status seen.
        quote: the price at submit time.
        expires_at: when the outputs expire.
        job: the last `Job` seen.
        request: the fitted request that was sent (prompt, model, size, seconds...).
        callback_token: the token put in the callback URL, if any.
        output_target: where the caller asked the video to be saved.
        output_path, output_size, output_sha256, downloaded_at: the finished download.
        problem: why the job cannot be finished although it succeeded (``expired``), if so.
        claimed_by, claimed_until: the process waiting on or downloading it, and until when.
        usage: what the provider reported it billed or used, where it did.
        delivered: what the downloaded file turned out to be (duration, size, fps, sound).
        delivery_issue: how the file differs from what was asked, if it does.
        group_id, item_key: the storyboard or batch and its shot or line, if any.
    """

    ledger_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    profile: str | None
    provider: str
    endpoint: str | None = None
    model: str | None
    settings: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    submit_state: SubmitState
    submit_error: str | None
    job_id: str | None
    status: JobStatus | None
    progress: int | None
    quote: Quote | None
    expires_at: dt.datetime | None
    job: Job | None
    request: dict[str, Any] = attrs.field(eq=False, repr=False)
    callback_token: str | None = attrs.field(repr=False)
    output_target: str | None
    output_path: str | None
    output_size: int | None
    output_sha256: str | None
    downloaded_at: dt.datetime | None
    problem: str | None = None
    claimed_by: str | None = None
    claimed_until: dt.datetime | None = None
    usage: Usage | None = None
    delivered: Mapping[str, Any] | None = attrs.field(default=None, eq=False)
    delivery_issue: str | None = None
    group_id: str | None = None
    item_key: str | None = None

    @property
    def downloaded(self) -> bool:
        """True once the output was saved."""
        return self.output_path is not None

    @property
    def finished(self) -> bool:
        """Nothing left to do: rejected, failed, cancelled, expired, or downloaded."""
        if self.submit_state is REJECTED or self.problem is not None:
            return True
        if self.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            return True
        return self.status is JobStatus.SUCCEEDED and self.downloaded

    @property
    def label(self) -> str:
        """The profile, or the provider when there was none."""
        return self.profile or self.provider


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _json(value: str | None) -> Any:
    return json.loads(value) if value else None


def entry_from_row(row: Mapping[str, Any]) -> LedgerEntry:
    """A `LedgerEntry` from one ``jobs`` row.

    Raises:
        ValueError: the row does not parse (the caller names the ledger and the row).
    """
    quote_data = _json(row["quote"])
    job_data = _json(row["job"])
    return LedgerEntry(
        ledger_id=int(row["ledger_id"]),
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        updated_at=dt.datetime.fromisoformat(row["updated_at"]),
        profile=row["profile"],
        provider=row["provider"],
        endpoint=row["endpoint"] or None,
        model=row["model"],
        settings=_json(row["settings"]) or {},
        submit_state=SubmitState(row["submit_state"]),
        submit_error=row["submit_error"],
        job_id=row["job_id"],
        status=JobStatus(row["status"]) if row["status"] else None,
        progress=row["progress"],
        quote=converter.structure(quote_data, Quote) if quote_data else None,
        expires_at=_when(row["expires_at"]),
        job=job_from_dict(job_data) if job_data else None,
        request=_json(row["request"]) or {},
        callback_token=row["callback_token"],
        output_target=row["output_target"],
        output_path=row["output_path"],
        output_size=row["output_size"],
        output_sha256=row["output_sha256"],
        downloaded_at=_when(row["downloaded_at"]),
        problem=row["problem"],
        claimed_by=row["claimed_by"],
        claimed_until=_when(row["claimed_until"]),
        usage=converter.structure(_json(row["usage"]), Usage) if row["usage"] else None,
        delivered=_json(row["delivered"]),
        delivery_issue=row["delivery_issue"],
        group_id=row["group_id"],
        item_key=row["item_key"],
    )
