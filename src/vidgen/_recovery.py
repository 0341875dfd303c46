"""Finishing what the ledger says is unfinished: the engine behind ``vidgen resume``.

Nothing here ever submits a job. A submit whose outcome is unknown is looked for in the
provider's job list; when it cannot be found for certain, the user is told so plainly.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx

from ._client import Client
from ._clock import Clock
from ._config import Config, load_config
from ._exceptions import (
    ContentExpired,
    JobFailed,
    JobInUse,
    UnsupportedRequest,
    VidgenError,
    WaitTimeout,
)
from ._files import safe_file_name
from ._ledger import OUTCOME_UNKNOWN, SENDING, Group, Ledger, LedgerEntry
from ._models import Job, JobStatus

__all__ = [
    "CannotTell",
    "Outcome",
    "ResumeState",
    "client_for",
    "client_for_group",
    "find_submitted",
    "resume_entry",
]

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


def client_for(
    entry: LedgerEntry,
    *,
    ledger: Ledger,
    config: Config | str | os.PathLike[str] | None = None,
    clock: Clock | None = None,
    sleep: Callable[[float], Any] | None = None,
    http_client: httpx.Client | None = None,
) -> Client:
    """A client for where an entry was sent, on the same ledger.

    The entry's profile when the config still has it; otherwise its provider, rebuilt
    from the non-secret settings the ledger kept (a ``base_url`` or ``models`` given in
    Python), with the key from the environment as before.
    """
    loaded = config if isinstance(config, Config) else load_config(config)
    common: dict[str, Any] = {
        "ledger": ledger,
        "allow_retired": True,
        "clock": clock,
        "sleep": sleep,
        "http_client": http_client,
    }
    if entry.profile and entry.profile in loaded.profiles:
        return Client(entry.profile, config=loaded, **common)
    settings = dict(entry.settings)
    return Client(
        provider=entry.provider,
        base_url=settings.pop("base_url", None),
        api_key_env=settings.pop("api_key_env", None),
        models=settings.pop("models", None),
        settings=settings or None,
        **common,
    )


def client_for_group(
    group: Group,
    *,
    ledger: Ledger,
    config: Config | str | os.PathLike[str] | None = None,
    clock: Clock | None = None,
    sleep: Callable[[float], Any] | None = None,
    http_client: httpx.Client | None = None,
) -> Client:
    """A client like the one that started a storyboard (its profile or provider again)."""
    settings = dict(group.settings)
    loaded = config if config is not None else settings.get("config")
    provider_settings = dict(settings.get("provider_settings") or {})
    common: dict[str, Any] = {
        "ledger": ledger,
        "clock": clock,
        "sleep": sleep,
        "http_client": http_client,
        "allow_retired": bool(settings.get("allow_retired", False)),
        "policy": "nearest" if settings.get("policy") == "nearest" else "strict",
        "max_job_cost": settings.get("max_job_cost"),
    }
    if settings.get("provider"):
        return Client(
            provider=str(settings["provider"]),
            base_url=provider_settings.pop("base_url", None),
            api_key_env=provider_settings.pop("api_key_env", None),
            models=provider_settings.pop("models", None),
            settings=provider_settings or None,
            **common,
        )
    return Client(settings.get("profile"), config=loaded, **common)


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
