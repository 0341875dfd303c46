"""Finishing one unfinished ledger entry: finding a submit whose answer was lost in the
provider's job list, then waiting for and downloading the job.

Nothing here ever submits a job. When the job list cannot settle whether a submit
arrived, the caller is told so plainly. Used by ``vidgen resume`` (`_recovery`) and by
batches (`_batch`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ._exceptions import (
    ContentExpired,
    JobFailed,
    JobInUse,
    UnsupportedRequest,
    VidgenError,
    WaitTimeout,
)
from ._files import safe_file_name
from ._ledger import OUTCOME_UNKNOWN, SENDING, Ledger, LedgerEntry
from ._models import Job, JobStatus

if TYPE_CHECKING:
    from ._client import Client

__all__ = ["CannotTell", "Outcome", "ResumeState", "find_submitted", "resume_entry"]

# A provider's clock and ours differ; a job created this long around the recorded submit
# may be the one.
_BEFORE = dt.timedelta(minutes=5)
_AFTER = dt.timedelta(minutes=30)


class ResumeState(str, enum.Enum):
    """How resuming one ledger entry ended."""

    DOWNLOADED = "downloaded"
    FAILED = "failed"
    EXPIRED = "expired"
    #: still running at the deadline
    WAITING = "waiting"
    #: a submit whose outcome is unknown, and the job list cannot settle it
    CANNOT_TELL = "cannot_tell"
    #: another process is waiting on or downloading it
    SKIPPED = "skipped"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def settled(self) -> bool:
        """True when nothing more can be done for the entry."""
        return self in (ResumeState.DOWNLOADED, ResumeState.FAILED, ResumeState.EXPIRED)


@attrs.frozen
class Outcome:
    """What `resume_entry` did for one ledger entry."""

    ledger_id: int
    label: str
    state: ResumeState
    message: str
    path: Path | None = None
    job: Job | None = None


class CannotTell(Exception):
    """The job list cannot settle whether the submit arrived."""


def find_submitted(client: Client, entry: LedgerEntry, ledger: Ledger) -> Job | None:
    """Look for the job of a submit whose outcome is unknown, in the provider's job list.

    Returns:
        The job when exactly one unclaimed job matches the recorded request (model, size,
        seconds, prompt where the provider echoes it) and time; None when none does.

    Raises:
        CannotTell: the provider has no job list, or several jobs match.
    """
    try:
        jobs = client.list_jobs(limit=100)
    except UnsupportedRequest as exc:
        raise CannotTell(
            f"{client.provider.name} has no job list, so vidgen cannot tell whether submit "
            f"#{entry.ledger_id} arrived"
        ) from exc
    request = entry.request
    claimed = ledger.known_ids(client.provider.name, client.provider.endpoint, [j.id for j in jobs])
    low, high = entry.created_at - _BEFORE, entry.created_at + _AFTER
    matches = []
    for job in jobs:
        if job.id in claimed:
            continue
        if job.model not in (None, request.get("model")):
            continue
        if job.size not in (None, request.get("size")):
            continue
        if job.seconds not in (None, request.get("seconds")):
            continue
        prompt = job.raw.get("prompt")
        if prompt is not None and prompt != request.get("prompt"):
            continue
        if job.created_at is not None and not low <= job.created_at <= high:
            continue
        matches.append(job)
    if len(matches) > 1:
        raise CannotTell(
            f"{len(matches)} jobs at {client.provider.name} could be submit #{entry.ledger_id} "
            f"({', '.join(j.id for j in matches)})"
        )
    return matches[0] if matches else None


def resume_entry(
    entry: LedgerEntry,
    *,
    ledger: Ledger,
    client: Client,
    output_dir: Path,
    timeout: float = 900,
    on_progress: Callable[[Job], None] | None = None,
) -> Outcome:
    """Wait for and download one unfinished job; find it first if its submit is unknown."""
    label = entry.label
    ident = entry.ledger_id
    try:
        if entry.submit_state in (SENDING, OUTCOME_UNKNOWN):
            if ledger.held_elsewhere(entry):
                return Outcome(
                    ident,
                    label,
                    ResumeState.SKIPPED,
                    f"submit #{ident} is waiting for its answer in another vidgen process "
                    f"({entry.claimed_by}); skipped",
                )
            try:
                found = find_submitted(client, entry, ledger)
            except CannotTell as exc:
                return Outcome(
                    ident,
                    label,
                    ResumeState.CANNOT_TELL,
                    f"{exc}. It was NOT submitted again. Check {label}'s console; if the job "
                    f"is there, `vidgen download JOB_ID --profile {label}` fetches it.",
                )
            if found is None:
                return Outcome(
                    ident,
                    label,
                    ResumeState.CANNOT_TELL,
                    f"no job at {label} matches submit #{ident} "
                    f"({entry.created_at:%Y-%m-%d %H:%M} UTC): it most likely never arrived. It "
                    "was NOT submitted again; submit it yourself if you still want it.",
                )
            # A job list may leave out what a download needs (its output URLs): read the
            # job itself once before adopting it.
            found = client.get(found)
            ledger.adopt(ident, found, client.provider.endpoint)
            refreshed = ledger.get(ident)
            assert refreshed is not None
            entry = refreshed
        assert entry.job_id is not None
        job = entry.job or client.provider.job_ref(entry.job_id)
        if job.profile is None and entry.profile:
            job = attrs.evolve(job, profile=entry.profile)
        if not job.is_terminal:
            job = client.wait(job, timeout=timeout, on_progress=on_progress)
        if job.status is not JobStatus.SUCCEEDED:
            return Outcome(ident, label, ResumeState.FAILED, job.describe(), job=job)
        if entry.downloaded:
            return Outcome(
                ident,
                label,
                ResumeState.DOWNLOADED,
                "already downloaded",
                Path(entry.output_path or ""),
                job,
            )
        default = output_dir / safe_file_name(f"{job.id}.mp4")  # the id is the provider's
        target = Path(entry.output_target) if entry.output_target else default
        path = client.download(job, target)
        return Outcome(ident, label, ResumeState.DOWNLOADED, f"saved {path}", path, job)
    except JobFailed as exc:
        return Outcome(ident, label, ResumeState.FAILED, str(exc), job=exc.job)
    except WaitTimeout as exc:
        return Outcome(ident, label, ResumeState.WAITING, str(exc), job=exc.job)
    except ContentExpired as exc:
        # Nothing more can be done: say so once, and stop offering it to resume.
        ledger.mark_problem(ident, "expired", str(exc))
        return Outcome(ident, label, ResumeState.EXPIRED, str(exc))
    except JobInUse as exc:
        return Outcome(ident, label, ResumeState.SKIPPED, str(exc))
    except VidgenError as exc:
        return Outcome(ident, label, ResumeState.ERROR, str(exc))
