"""What happened to a job, as typed values: the lifecycle yields them, the ledger keeps them.

Each event is stamped with the client's clock. A flow yields an event like any other
action; the client hands it to its ledger (if it has one) and sends the ledger's answer
back into the flow: the ledger number for `SubmitStarting`, None for the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ._models import Job
from ._plan import Attempt

__all__ = [
    "DeliveryChecked",
    "Downloaded",
    "Event",
    "JobSeen",
    "SubmitAccepted",
    "SubmitOutcomeUnknown",
    "SubmitRejected",
    "SubmitStarting",
]


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened, and when (the client's clock)."""

    at: dt.datetime


@attrs.frozen(kw_only=True)
class SubmitStarting(Event):
    """A submit is about to be sent; the ledger records it first and answers its number.

    Attributes:
        attempt: where it goes, what is sent and what it costs.
        endpoint: the API root it is sent to (jobs are known by endpoint and id).
        settings: the provider's non-secret settings, to rebuild it later (never the key).
        callback_token: the token added to the callback URL, if any.
        output_target: where the caller wants the video saved, if known.
        max_daily_spend: the daily limit to check atomically with the record, if any.
        group_id, item_key: the storyboard or batch, and its shot or line, this job is for.
    """

    attempt: Attempt
    endpoint: str
    settings: Mapping[str, Any] = attrs.field(factory=dict)
    callback_token: str | None = attrs.field(default=None, repr=False)
    output_target: str | None = None
    max_daily_spend: Decimal | None = None
    group_id: str | None = None
    item_key: str | None = None


@attrs.frozen(kw_only=True)
class SubmitAccepted(Event):
    """The provider took the submit: the job exists and may be billed."""

    ledger_id: int | None
    job: Job
    endpoint: str


@attrs.frozen(kw_only=True)
class SubmitRejected(Event):
    """The submit certainly created no job (nothing was sent, or a 4xx "not taken")."""

    ledger_id: int | None
    error: str


@attrs.frozen(kw_only=True)
class SubmitOutcomeUnknown(Event):
    """The submit may have reached the server: a job may exist and may be billed."""

    ledger_id: int | None
    error: str


@attrs.frozen(kw_only=True)
class JobSeen(Event):
    """A state of a job, as the provider reported it."""

    job: Job
    endpoint: str


@attrs.frozen(kw_only=True)
class Downloaded(Event):
    """An output was saved completely: where, how big, and its SHA-256."""

    job: Job
    endpoint: str
    path: Path
    size: int
    sha256: str
    index: int = 0
    variant: str = "video"


@attrs.frozen(kw_only=True)
class DeliveryChecked(Event):
    """A downloaded file was probed and compared with what was asked.

    Attributes:
        job: the job it came from.
        endpoint: where the job lives.
        path: the file.
        delivered: what the file is (duration, width, height, fps, has_audio), or empty
            when it could not be read.
        issues: each way it differs from the request (empty when it matches).
    """

    job: Job
    endpoint: str
    path: Path
    delivered: Mapping[str, Any] = attrs.field(factory=dict)
    issues: tuple[str, ...] = ()
