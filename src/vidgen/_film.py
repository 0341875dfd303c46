"""Rendering a storyboard: every shot priced first, then rendered in order, then joined.

`film_flow` is a flow like the job lifecycle's, so `Client.render` and
`AsyncClient.render` carry out the same steps:

1. plan every shot (model, size, length, price) and check the budget for the whole film
   before the first shot is paid; a shot that must continue from the previous one's last
   frame must go to a model that takes a first frame;
2. for each shot in order: take the previous clip's last frame (``last-frame``
   continuity), and reuse a clip the ledger already has for exactly this shot, finish a
   job already submitted for it, or submit it, wait and download;
3. join the clips (stream copy when they match) and check the film's length.

Every shot's job carries the storyboard's id and the shot's key in the ledger. After a
crash or Ctrl-C, rendering the same storyboard to the same file (or ``vidgen resume``)
reuses every finished shot and never pays for one twice; an edited shot gets a new key
and is rendered again, with the shots after it (their first frame changed).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ._actions import Work
from ._budget import check_daily
from ._delivery import Expected, check_delivery
from ._download import download_flow
from ._exceptions import BudgetExceeded, JobFailed, UnsupportedRequest, VidgenError
from ._ledger import OUTCOME_UNKNOWN, SENDING, LedgerEntry
from ._lifecycle import Flow, route_flow, wait_flow
from ._models import Job, JobStatus
from ._plan import Plan
from ._public import public
from ._reference import Reference
from ._request import Quote
from ._storyboard import Storyboard

if TYPE_CHECKING:
    from ._client import _BaseClient

__all__ = ["Film", "RenderProgress", "ShotResult", "film_flow", "film_id", "shots_folder"]

log = logging.getLogger("vidgen")

Stage = Literal["planned", "reused", "submitted", "running", "downloaded", "joining", "done"]


@public
@attrs.frozen(kw_only=True)
class RenderProgress:
    """Where a render is: which shot, at which stage, and the job's state if it has one.

    Attributes:
        shot: the shot's number, from 1 (0 while joining).
        shots: how many shots there are.
        stage: ``planned``, ``reused`` (an earlier render's clip), ``submitted``,
            ``running``, ``downloaded``, ``joining`` or ``done``.
        job: the shot's job, when it has one.
    """

    shot: int
    shots: int
    stage: Stage
    job: Job | None = None


@public
@attrs.frozen(kw_only=True)
class ShotResult:
    """One rendered shot.

    Attributes:
        number: the shot's number, from 1.
        key: what identifies this exact shot in the ledger.
        clip: its video file.
        job_id, provider, model: the job that rendered it.
        reused: True when an earlier render's clip was used (nothing paid now).
        quote: its price.
        first_frame: ``"last-frame"`` when it started from the previous shot's last frame,
            ``"own"`` from its own reference image, None from nothing.
    """

    number: int
    key: str
    clip: Path
    job_id: str | None
    provider: str | None
    model: str | None
    reused: bool
    quote: Quote | None
    first_frame: str | None = None


@public
@attrs.frozen(kw_only=True)
class Film:
    """A rendered storyboard.

    Attributes:
        path: the joined video.
        shots: each shot, in order.
        join: ``"copy"`` (clips joined as they were) or ``"reencode"``.
        join_reason: why the clips had to be encoded again, if they did.
        duration: the film's length as probed (None without the ``video`` extra).
        expected_seconds: the sum of the shots' lengths.
        issues: how the film differs from what was asked (empty when it matches).
        continuity: ``"last-frame"`` (each shot continued the one before) or ``"none"``.
        total: the quoted price of the shots rendered now (reused ones cost nothing).
        currency: of ``total``.
    """

    path: Path
    shots: tuple[ShotResult, ...]
    join: str
    join_reason: str | None
    duration: float | None
    expected_seconds: float
    issues: tuple[str, ...] = ()
    continuity: str
    total: Decimal | None
    currency: str | None


def film_id(target: Path) -> str:
    """The ledger id of the film rendered to ``target``: one film per output file."""
    digest = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:20]
    return f"film-{digest}"


def shots_folder(target: Path) -> Path:
    """Where a film's clips are kept, beside it (reused by the next render of it)."""
    return target.parent / f".{target.name}.shots"


def _last_frame_png(clip: Path) -> bytes:
    from .media import image_bytes, last_frame

    return image_bytes(last_frame(clip), "image/png")


def _usable(entry: LedgerEntry) -> bool:
    """A recorded job this shot can still use (reuse, or finish) rather than pay again."""
    if entry.submit_state.value == "rejected":
        return False
    if entry.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        return False
    return entry.problem is None


def film_flow(
    client: _BaseClient,
    storyboard: Storyboard,
    target: Path,
    *,
    clients: Mapping[tuple[str | None, str | None], _BaseClient],
    timeout: float,
    on_progress: Callable[[RenderProgress], None] | None = None,
) -> Flow[Film]:
    """Render ``storyboard`` into ``target`` (see the module's docstring).

    Args:
        client: the client that renders shots naming no profile or provider; its ledger
            keeps the film.
        storyboard: the film.
        target: the joined video's path (already checked: writable, replaceable).
        clients: the client for each shot's (profile, provider), ``(None, None)`` for
            ``client`` itself.
        timeout: how long to wait for each shot.
        on_progress: gets a `RenderProgress` at each step.

    Raises:
        BudgetExceeded: the film costs more than the limits allow; before any HTTP.
        UnsupportedRequest, ModelRetired: a shot cannot be served as asked.
        VidgenError: a shot failed (its job, and the ones before, stay in the ledger).
    """
    ledger = client.ledger
    group = film_id(target)
    total_shots = len(storyboard.shots)

    def progress(shot: int, stage: Stage, job: Job | None = None) -> None:
        if on_progress is not None:
            on_progress(RenderProgress(shot=shot, shots=total_shots, stage=stage, job=job))

    def client_of(index: int) -> _BaseClient:
        return clients[storyboard.target_of(storyboard.shots[index])]

    # 1. The whole film, planned and priced before anything is paid.
    plans: list[Plan] = []
    for index in range(total_shots):
        plan = client_of(index).plan(storyboard.request_for(index))
        spec = plan.fitted.spec
        continues = storyboard.continuity == "last-frame" and index > 0
        if continues and storyboard.shots[index].reference is None and "file" not in spec.reference:
            raise UnsupportedRequest(
                f"shot {index + 1} goes to {plan.first.label} {spec.id}, which takes no first "
                "frame as a file, so it cannot continue from shot "
                f'{index}\'s last frame; choose a model that takes one, or continuity = "none"',
                param="continuity",
                value="last-frame",
            )
        plans.append(plan)
        progress(index + 1, "planned")
    known: dict[str, LedgerEntry] = {}
    if ledger is not None:
        known = yield Work(ledger.group_jobs, (group,))
    _check_film_budget(client, plans, known)
    if ledger is not None:
        yield Work(_open_group, (ledger, group, target, storyboard, client))

    # 2. The shots, in order.
    folder = shots_folder(target)
    results: list[ShotResult] = []
    previous: Path | None = None
    total = Decimal(0)
    priced = True
    currency: str | None = None
    for index, shot in enumerate(storyboard.shots):
        number = index + 1
        reference: Reference | None = None
        first_frame: str | None = "own" if shot.reference is not None else None
        digest = None
        if (
            storyboard.continuity == "last-frame"
            and previous is not None
            and shot.reference is None
        ):
            png: bytes = yield Work(_last_frame_png, (previous,))
            digest = hashlib.sha256(png).hexdigest()
            reference = Reference.from_bytes(png, filename=f"shot-{number:02d}-first-frame.png")
            first_frame = "last-frame"
        key = storyboard.shot_key(index, digest)
        clip = folder / f"shot-{number:02d}-{key[:10]}.mp4"
        shot_client = client_of(index)
        entry = known.get(key)
        if (
            entry is not None
            and _usable(entry)
            and entry.downloaded
            and Path(entry.output_path or "").is_file()
        ):
            clip = Path(entry.output_path or clip)
            progress(number, "reused", entry.job)
            results.append(
                ShotResult(
                    number=number,
                    key=key,
                    clip=clip,
                    job_id=entry.job_id,
                    provider=entry.provider,
                    model=entry.model,
                    reused=True,
                    quote=entry.quote,
                    first_frame=first_frame,
                )
            )
            previous = clip
            continue
        if entry is not None and entry.submit_state in (SENDING, OUTCOME_UNKNOWN):
            raise VidgenError(
                f"shot {number}'s submit (#{entry.ledger_id}) may have reached "
                f"{entry.label} and nobody knows whether a job exists; it is NOT sent again. "
                "Run `vidgen resume` to look for it, then render again"
            )
        quote: Quote | None
        if entry is not None and _usable(entry) and entry.job_id is not None:
            # Submitted by an earlier render that stopped: finish it, never pay again.
            env, job = shot_client._route(entry.job or shot_client.provider.job_ref(entry.job_id))
            env.ready()
            quote = entry.quote
            progress(number, "running", job)
        else:
            request = storyboard.request_for(index, reference)
            plan = plans[index] if reference is None else shot_client.plan(request)
            steps = shot_client._steps(plan, clip, group_id=group, item_key=key)
            job, attempt = yield from route_flow(steps)
            shot_client._accepted(job, attempt, steps)
            env, job = shot_client._route(job)
            quote = attempt.quote
            if quote.amount is None:
                priced = False
            else:
                total += quote.amount
                currency = currency or quote.currency
            progress(number, "submitted", job)

        def on_job(state: Job, number: int = number) -> None:
            progress(number, "running", state)

        try:
            job = yield from wait_flow(env, job, timeout, on_job)
        except JobFailed as exc:
            raise JobFailed(
                f"shot {number} of {total_shots} failed: {exc}. The shots before it are kept; "
                "edit the shot (or try again) and render the same storyboard to the same file",
                job=exc.job,
            ) from exc
        path = yield from download_flow(
            env,
            job,
            clip,
            0,
            "video",
            shot_client._expected(env, job),
            shot_client.delivery,
        )
        progress(number, "downloaded", job)
        results.append(
            ShotResult(
                number=number,
                key=key,
                clip=path,
                job_id=job.id,
                provider=job.provider,
                model=job.model,
                reused=False,
                quote=quote,
                first_frame=first_frame,
            )
        )
        previous = path

    # 3. The film.
    progress(0, "joining")
    from .media import concat_videos

    joined = yield Work(concat_videos, ([r.clip for r in results], target))
    expected = float(sum(plan.fitted.seconds for plan in plans))
    report = yield Work(check_delivery, (target, Expected(seconds=expected)))
    issues = tuple(report.issues)
    duration = report.delivered.get("duration") if report.checked else None
    if ledger is not None:
        detail = (
            f"{target} ({len(results)} shots" + (f"; {'; '.join(issues)}" if issues else "") + ")"
        )
        yield Work(ledger.finish_group, (group, "done", detail))
    if issues:
        log.warning("the film %s is not what was asked: %s", target, "; ".join(issues))
    progress(0, "done")
    return Film(
        path=target,
        shots=tuple(results),
        join=joined.method,
        join_reason=joined.reason,
        duration=float(duration) if duration is not None else None,
        expected_seconds=expected,
        issues=issues,
        continuity=storyboard.continuity,
        total=total if priced else None,
        currency=currency,
    )


def _open_group(
    ledger: Any, group: str, target: Path, storyboard: Storyboard, client: _BaseClient
) -> None:
    ledger.open_group(
        group_id=group,
        kind="storyboard",
        target=str(target),
        spec=storyboard.to_mapping(),
        settings=client._rebuild_settings(),
    )


def _check_film_budget(
    client: _BaseClient, plans: list[Plan], known: Mapping[str, LedgerEntry]
) -> None:
    """The limits apply to the whole film, before the first shot is paid.

    ``max_job_cost`` caps the film's total; ``max_daily_spend`` caps today's committed
    spend plus the film. Shots already in the ledger are counted as they were quoted.
    """
    amounts = [plan.quote.amount for plan in plans]
    limit = client.max_job_cost
    if limit is not None:
        if any(amount is None for amount in amounts):
            raise BudgetExceeded(
                "a shot of this storyboard has no known price, so the film cannot be checked "
                f"against max_job_cost {limit}; raise or remove the limit to render it anyway",
                limit=limit,
            )
        film = sum((a for a in amounts if a is not None), Decimal(0))
        if film > limit:
            raise BudgetExceeded(
                f"the storyboard's {len(plans)} shots cost {film} in all, over max_job_cost "
                f"{limit} (a storyboard's limit is for the whole film); shorten shots, use "
                "--draft, or raise the limit",
                amount=film,
                limit=limit,
            )
    if client.max_daily_spend is not None and client.ledger is not None:
        film = sum((a for a in amounts if a is not None), Decimal(0))
        committed = client.ledger.committed_today()
        check_daily(
            attrs.evolve(plans[0].quote, amount=film if None not in amounts else None),
            committed,
            client.max_daily_spend,
        )
