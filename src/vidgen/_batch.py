"""Batches: many requests, each known by its ``custom_id``, done once however often they run.

A batch is a group in the ledger (kind ``batch``) whose items are its lines, keyed by
``custom_id``. Running a batch (``Client.batch``, ``vidgen batch``) or working on the
shared ledger (``vidgen worker``) claims lines with a lease, and for each line:

* a line whose video was downloaded is done: nothing is sent;
* a line with a job in flight is waited on and downloaded (never submitted again);
* a line whose submit may have been sent but whose answer was never recorded (a worker
  died mid-submit) is looked for in the provider's job list: found, it is adopted; absent
  from the list once the dead worker's lease has run out, it is submitted; where the
  provider keeps no list it is left for a person (`vidgen resume`), never resent blindly;
* any other line is planned, checked against the batch's budget, and submitted, its
  ledger row committed before the HTTP request.

A line's outcome is kept with the item, so a re-run (or `results`) reports every line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ._exceptions import (
    BudgetExceeded,
    ConfigError,
    InvalidInput,
    JobFailed,
    JobInUse,
    VidgenError,
    WaitTimeout,
)
from ._files import safe_file_name
from ._ledger import ACCEPTED, OUTCOME_UNKNOWN, SENDING, Item, Ledger, LedgerEntry
from ._models import JobStatus, Usage
from ._public import public
from ._request import Quote, VideoRequest
from ._storyboard import image_data, image_reference

if TYPE_CHECKING:
    from ._client import Client
    from ._plan import Plan

__all__ = [
    "BatchLine",
    "BatchProgress",
    "BatchResult",
    "BatchStatus",
    "batch_group_id",
    "read_batch_file",
    "run_batch",
    "run_worker",
    "work_on_items",
]

log = logging.getLogger("vidgen")

#: How a line stands: its video saved (``done``), its job failed or was refused
#: (``failed``), not finished yet (``pending``: over budget, still rendering, claimed by
#: another worker, interrupted), or stopped for a person to look at (``needs_attention``:
#: a submit whose fate the provider cannot tell, a request that cannot be served).
BatchStatus = Literal["done", "failed", "pending", "needs_attention"]

_LINE_KEYS = {
    "custom_id",
    "prompt",
    "duration",
    "aspect",
    "resolution",
    "model",
    "reference",
    "last_frame",
    "audio",
    "negative_prompt",
    "seed",
    "profile",
    "provider",
    "output",
}
_MAX_CUSTOM_ID = 200
#: How long after a submit whose answer was lost the provider's job list is trusted to
#: show the job: before that, its absence proves nothing and the line waits.
SETTLE = dt.timedelta(seconds=10)
#: A worker that stops when nothing is left still waits for lines due back this soon
#: (held by another worker, or put aside for a moment).
_HORIZON = dt.timedelta(seconds=30)
KIND = "batch"


def _custom_id(_: Any, __: Any, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("custom_id must be a non-empty string (your own id for the line)")
    if len(value) > _MAX_CUSTOM_ID or any(ord(c) < 32 for c in value):
        raise ValueError(
            f"custom_id must be at most {_MAX_CUSTOM_ID} characters with no control characters"
        )


@public
@attrs.frozen
class BatchLine:
    """One line of a batch: a request and the caller's own id for it.

    Attributes:
        custom_id: your id for the line, unique in the batch; it is the line's
            idempotency key (running the batch again never pays for it twice).
        request: what to render.
        output: the file name to save it as, in the batch's folder (default:
            ``CUSTOM_ID.mp4``).
        profile, provider: where to send it, instead of the client's own.
    """

    custom_id: str = attrs.field(validator=_custom_id)
    request: VideoRequest
    output: str | None = None
    profile: str | None = None
    provider: str | None = None

    def to_mapping(self) -> dict[str, Any]:
        """The line as JSON-ready data, images included (kept in the ledger for workers)."""
        request = self.request
        fields: dict[str, Any] = {"custom_id": self.custom_id, "prompt": request.prompt}
        for key in ("duration", "aspect", "resolution", "model", "audio", "negative_prompt"):
            value = getattr(request, key)
            if value is not None:
                fields[key] = value
        if request.seed is not None:
            fields["seed"] = request.seed
        if request.reference is not None:
            fields["reference"] = image_data(request.reference)
        if request.last_frame is not None:
            fields["last_frame"] = image_data(request.last_frame)
        for key in ("output", "profile", "provider"):
            value = getattr(self, key)
            if value is not None:
                fields[key] = value
        return fields

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, where: str = "batch line", base: Path | None = None
    ) -> BatchLine:
        """A line from a JSON object (a line of a batch file, or `to_mapping`'s output).

        Raises:
            InvalidInput: a key or value is wrong (the message starts with ``where``).
        """
        if not isinstance(data, Mapping):
            raise InvalidInput(f"{where} is not a JSON object", param="batch")
        unknown = sorted(set(data) - _LINE_KEYS)
        if unknown:
            raise InvalidInput(
                f"{where}: unknown key {unknown[0]!r}; a line takes "
                + ", ".join(sorted(_LINE_KEYS)),
                param="batch",
            )
        if "custom_id" not in data:
            raise InvalidInput(
                f'{where} has no custom_id; give every line its own id, e.g. "custom_id": "ad-1"',
                param="custom_id",
            )
        fields = {k: v for k, v in data.items() if k not in ("custom_id", "output")}
        fields.pop("profile", None)
        fields.pop("provider", None)
        try:
            for key in ("reference", "last_frame"):
                if fields.get(key) is not None:
                    fields[key] = image_reference(fields[key], where, base)
            request = VideoRequest(**fields)
            output = data.get("output")
            if output is not None and (
                not isinstance(output, str) or safe_file_name(output) != output
            ):
                raise ValueError(
                    f"output {output!r} must be a plain file name such as ad-1.mp4 "
                    "(it is saved in the batch's folder)"
                )
            for key in ("profile", "provider"):
                value = data.get(key)
                if value is not None and not (isinstance(value, str) and value):
                    raise ValueError(f"{key} must be a name, not {value!r}")
            return cls(
                custom_id=data["custom_id"],
                request=request,
                output=output,
                profile=data.get("profile"),
                provider=data.get("provider"),
            )
        except ConfigError as exc:
            raise InvalidInput(str(exc), param="batch") from exc
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"{where}: {exc}", param="batch") from exc

    @property
    def file_name(self) -> str:
        """The name it is saved as in the batch's folder."""
        return self.output or safe_file_name(f"{self.custom_id}.mp4")


def read_batch_file(path: str | os.PathLike[str]) -> list[BatchLine]:
    """Every line of a JSONL batch file, checked before anything is sent.

    Blank lines and lines starting with ``#`` are skipped. Image paths are read relative
    to the file's folder.

    Raises:
        InvalidInput: the file cannot be read, a line is not a JSON object with a
            ``custom_id`` and a request, or two lines share a ``custom_id`` or a file name
            (the message names the line).
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"no such batch file: {source}", param="batch") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the batch file {source}: {exc}", param="batch") from exc
    lines: list[BatchLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{source.name} line {number}"
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                f"{where} is not JSON ({exc.msg} at column {exc.colno}); write one JSON "
                'object per line, e.g. {"custom_id": "ad-1", "prompt": "a red kite"}',
                param="batch",
            ) from None
        lines.append(BatchLine.from_mapping(data, where=where, base=source.parent))
    if not lines:
        raise InvalidInput(f"the batch file {source} has no lines", param="batch")
    check_lines(lines, where=source.name)
    return lines


def check_lines(lines: Sequence[BatchLine], *, where: str = "the batch") -> None:
    """No two lines share a ``custom_id`` or an output file.

    Raises:
        InvalidInput: naming the first clash.
    """
    ids: set[str] = set()
    files: dict[str, str] = {}
    for line in lines:
        if line.custom_id in ids:
            raise InvalidInput(
                f"{where}: custom_id {line.custom_id!r} is used twice; each line needs its own",
                param="custom_id",
            )
        ids.add(line.custom_id)
        other = files.get(line.file_name.lower())
        if other is not None:
            raise InvalidInput(
                f"{where}: lines {other!r} and {line.custom_id!r} would both be saved as "
                f"{line.file_name}; give one of them another output",
                param="output",
            )
        files[line.file_name.lower()] = line.custom_id


def batch_group_id(batch_id: str) -> str:
    """The ledger's group id of a batch (``batch:NAME``).

    Raises:
        InvalidInput: the name is empty or has control characters.
    """
    if not isinstance(batch_id, str) or not batch_id.strip() or any(ord(c) < 32 for c in batch_id):
        raise InvalidInput(
            f"a batch id is a name such as 'spring-ads', not {batch_id!r}", param="batch_id"
        )
    return f"{KIND}:{batch_id.strip()}"


@public
@attrs.frozen
class BatchResult:
    """How one line of a batch stands (a line of the results file).

    Attributes:
        custom_id: the line's id.
        status: ``done``, ``failed``, ``pending`` or ``needs_attention`` (see
            ``vidgen.BatchStatus``).
        job_id: the provider's job id, once there is one.
        provider: where it was sent.
        model: the model that rendered it.
        output: the saved file, once done.
        quote: the price quoted before the submit.
        billed: what the provider reports it billed, where it says.
        error: why it failed or is not done.
    """

    custom_id: str
    status: BatchStatus
    job_id: str | None = None
    provider: str | None = None
    model: str | None = None
    output: str | None = None
    quote: Quote | None = None
    billed: Usage | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as in the results file."""
        from ._serialize import converter, quote_to_dict

        quote = self.quote
        return {
            "custom_id": self.custom_id,
            "status": self.status,
            "job_id": self.job_id,
            "provider": self.provider,
            "model": self.model,
            "output": self.output,
            "quote": None if quote is None else quote_to_dict(quote),
            "billed": None if self.billed is None else converter.unstructure(self.billed),
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchResult:
        """The inverse of `to_dict` (as kept with the item in the ledger)."""
        from ._serialize import converter

        quote = data.get("quote")
        return cls(
            custom_id=str(data["custom_id"]),
            status=data["status"],
            job_id=data.get("job_id"),
            provider=data.get("provider"),
            model=data.get("model"),
            output=data.get("output"),
            quote=converter.structure(quote, Quote) if quote else None,
            billed=None if not data.get("billed") else converter.structure(data["billed"], Usage),
            error=data.get("error"),
        )


@public
@attrs.frozen
class BatchProgress:
    """Counts of a batch's lines as it runs (given to ``on_progress``)."""

    total: int
    done: int
    failed: int
    running: int
    pending: int
    needs_attention: int
    #: the line that just changed, if any
    last: BatchResult | None = None


# -- the budget of one batch --------------------------------------------------------------


class _Budget:
    """What a batch may still spend, shared by its threads: a submit reserves its quote."""

    def __init__(self, limit: Decimal | None, spent: Decimal) -> None:
        self.limit = limit
        self.committed = spent
        self._lock = threading.Lock()

    def reserve(self, quote: Quote, custom_id: str) -> None:
        if self.limit is None:
            return
        if quote.amount is None:
            raise BudgetExceeded(
                f"line {custom_id!r} has no known price, and the batch has a budget of "
                f"{self.limit}; give its model a price in vidgen.toml or drop the budget"
            )
        with self._lock:
            if self.committed + quote.amount > self.limit:
                raise BudgetExceeded(
                    f"line {custom_id!r} ({quote.amount} {quote.currency}) would take the "
                    f"batch over its budget of {self.limit} ({self.committed} committed); "
                    "it was not submitted"
                )
            self.committed += quote.amount

    def give_back(self, quote: Quote) -> None:
        if self.limit is not None and quote.amount is not None:
            with self._lock:
                self.committed -= quote.amount


# -- one line -------------------------------------------------------------------------------


def _entry_result(
    line: BatchLine, entry: LedgerEntry, status: BatchStatus, **extra: Any
) -> BatchResult:
    job = entry.job
    values: dict[str, Any] = {
        "custom_id": line.custom_id,
        "status": status,
        "job_id": entry.job_id,
        "provider": entry.profile or entry.provider,
        "model": (job.model if job is not None else None) or entry.model,
        "output": entry.output_path,
        "quote": entry.quote,
        "billed": entry.usage or (job.usage if job is not None else None),
    }
    values.update(extra)
    return BatchResult(**values)


class _LineWork:
    """Everything a line needs from the run: clients, folder, budget and policies."""

    def __init__(
        self,
        client: Client,
        *,
        group_id: str,
        folder: Path,
        budget: _Budget,
        timeout: float,
        retry_failed: bool,
        overwrite: bool,
        lease: dt.timedelta,
    ) -> None:
        if client.ledger is None:
            raise ConfigError(
                "a batch needs the job ledger (its lines are kept there); do not pass ledger=False"
            )
        self.client = client
        self.ledger: Ledger = client.ledger
        self.group_id = group_id
        self.folder = folder
        self.budget = budget
        self.timeout = timeout
        self.retry_failed = retry_failed
        self.overwrite = overwrite
        self.lease = lease
        self._clients: dict[tuple[str | None, str | None], Client] = {}
        self._retries: dict[str, dt.timedelta | None] = {}
        #: the plans made when the batch was priced, by custom_id
        self.plans: dict[str, Plan] = {}
        self._lock = threading.Lock()

    def client_for(self, line: BatchLine) -> Client:
        where = (line.profile, line.provider)
        if where == (None, None):
            return self.client
        with self._lock:
            if where not in self._clients:
                self._clients[where] = self.client._other_client(*where)
            return self._clients[where]

    def run(self, line: BatchLine) -> BatchResult:
        """Carry one line as far as it goes; never raises for the line's own troubles."""
        try:
            return self._run(line)
        except BudgetExceeded as exc:
            self._retry(line, None)  # held until the batch is run again (a new budget)
            return BatchResult(line.custom_id, "pending", error=str(exc))
        except JobFailed as exc:
            job = exc.job
            return BatchResult(
                line.custom_id,
                "failed",
                job_id=job.id if job else None,
                provider=job.profile or job.provider if job else None,
                model=job.model if job else None,
                error=str(exc),
            )
        except WaitTimeout as exc:
            return BatchResult(
                line.custom_id,
                "pending",
                job_id=exc.job.id if exc.job else None,
                error=f"still rendering: {exc}",
            )
        except JobInUse as exc:
            return BatchResult(line.custom_id, "pending", error=str(exc))
        except VidgenError as exc:
            state: BatchStatus = "needs_attention" if exc.user_error else "failed"
            if getattr(exc, "request_sent", False):
                state = "pending"  # the submit may have arrived: look for it shortly
                self._retry(line, SETTLE)
            return BatchResult(line.custom_id, state, error=str(exc))

    def _retry(self, line: BatchLine, after: dt.timedelta | None) -> None:
        """When a line left pending is to be taken up again: ``after`` from now, or (None)
        only when the batch is run again."""
        with self._lock:
            self._retries[line.custom_id] = after

    def retry_after(self, custom_id: str) -> dt.timedelta | None:
        """How long a pending line waits before any worker takes it up again (None: until
        the batch is run again). The lease unless the line said otherwise."""
        with self._lock:
            return self._retries.pop(custom_id, self.lease)

    def _run(self, line: BatchLine) -> BatchResult:
        from ._resume import CannotTell, ResumeState, find_submitted, resume_entry

        client = self.client_for(line)
        target = self.folder / line.file_name
        entry = self.ledger.item_job(self.group_id, line.custom_id)
        if entry is not None:
            if entry.downloaded and entry.output_path and Path(entry.output_path).exists():
                return _entry_result(line, entry, "done")
            if entry.submit_state in (SENDING, OUTCOME_UNKNOWN):
                if self.ledger.held_elsewhere(entry):
                    # Its submitter is alive and still waiting for the answer.
                    self._retry(line, SETTLE)
                    return _entry_result(
                        line, entry, "pending", error="its submit is on its way elsewhere"
                    )
                try:
                    found = find_submitted(client, entry, self.ledger)
                except CannotTell as exc:
                    return _entry_result(
                        line,
                        entry,
                        "needs_attention",
                        error=f"{exc}; it was not submitted again (see `vidgen resume`)",
                    )
                if found is not None:
                    found = client.get(found)
                    self.ledger.adopt(entry.ledger_id, found, client.provider.endpoint)
                    entry = self.ledger.get(entry.ledger_id) or entry
                elif self.ledger.now() - entry.updated_at < SETTLE:
                    # Too recent to trust the job list's silence: look again shortly.
                    self._retry(line, SETTLE)
                    return _entry_result(
                        line,
                        entry,
                        "pending",
                        error="its earlier submit is not in the provider's job list yet",
                    )
                else:
                    # Its submitter is gone, and the provider has no such job well after
                    # the submit: it never arrived. Only now is the line submitted again.
                    self.ledger.mark_problem(
                        entry.ledger_id,
                        "not_submitted",
                        "no job at the provider matches it; the line was submitted again",
                    )
                    entry = None
            if entry is not None and entry.submit_state == ACCEPTED:
                failed = entry.status in (JobStatus.FAILED, JobStatus.CANCELLED)
                if failed and not self.retry_failed:
                    error = entry.job.describe() if entry.job else "the job failed"
                    return _entry_result(line, entry, "failed", error=error)
                if not failed:
                    outcome = resume_entry(
                        entry,
                        ledger=self.ledger,
                        client=client,
                        output_dir=self.folder,
                        timeout=self.timeout,
                    )
                    fresh = self.ledger.get(entry.ledger_id) or entry
                    if outcome.state is ResumeState.DOWNLOADED:
                        return _entry_result(line, fresh, "done")
                    if outcome.state in (ResumeState.FAILED, ResumeState.EXPIRED):
                        return _entry_result(line, fresh, "failed", error=outcome.message)
                    return _entry_result(line, fresh, "pending", error=outcome.message)
        return self._submit(client, line, target)

    def _submit(self, client: Client, line: BatchLine, target: Path) -> BatchResult:
        from ._checks import check_output_path

        check_output_path(target, overwrite=self.overwrite)
        with self._lock:
            plan = self.plans.pop(line.custom_id, None)
        if plan is None or client._fetch_env(line.request) is not None:
            # No plan from this run (a worker), or its images must be fetched first: the
            # plan of what is really sent is made now.
            plan = client.plan(client.fetch_references(line.request))
        self.budget.reserve(plan.quote, line.custom_id)
        try:
            job, path = client._generate_item(
                plan,
                target,
                group_id=self.group_id,
                item_key=line.custom_id,
                timeout=self.timeout,
                overwrite=self.overwrite,
            )
        except VidgenError as exc:
            if not getattr(exc, "request_sent", True) or _certainly_refused(exc):
                self.budget.give_back(plan.quote)
            raise
        entry = self.ledger.item_job(self.group_id, line.custom_id)
        if entry is not None:
            return _entry_result(line, entry, "done", output=str(path))
        return BatchResult(
            line.custom_id,
            "done",
            job_id=job.id,
            provider=job.profile or job.provider,
            model=job.model,
            output=str(path),
            quote=plan.quote,
            billed=job.usage,
        )


def _certainly_refused(exc: VidgenError) -> bool:
    from ._lifecycle import certainly_not_accepted

    return certainly_not_accepted(exc)


# -- running the lines ----------------------------------------------------------------------


def _renew(
    ledger: Ledger,
    keys: Callable[[], list[tuple[str, str]]],
    lease: dt.timedelta,
    stop: threading.Event,
) -> None:
    """Keep this worker's claims alive while it works (every third of the lease)."""
    period = max(lease.total_seconds() / 3, 0.05)
    while not stop.wait(period):
        held = keys()
        if held:
            try:
                ledger.renew_items(held, lease=lease)
            except VidgenError as exc:  # a missed renewal only risks a second look
                log.warning("could not renew batch claims: %s", exc)


def work_on_items(
    ledger: Ledger,
    work_for: Callable[[Item], tuple[_LineWork, BatchLine] | BatchResult],
    *,
    group_id: str | None,
    concurrency: int,
    lease: dt.timedelta,
    on_result: Callable[[BatchResult], None] | None = None,
    idle_wait: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Claim items and carry them out, ``concurrency`` at a time, until none is left.

    Args:
        work_for: how to carry out an item (or its result at once, when it cannot be).
        group_id: one batch, or None for every running batch (a worker).
        idle_wait: when nothing is claimable, wait this long and look again (a worker
            that keeps running); None to return.

    Returns:
        How many items were finished here.
    """
    running: dict[Future[BatchResult], tuple[Item, _LineWork]] = {}
    stop = threading.Event()
    lock = threading.Lock()

    def held() -> list[tuple[str, str]]:
        with lock:
            return [(item.group_id, item.key) for item, _ in running.values()]

    renewer = threading.Thread(
        target=_renew, args=(ledger, held, lease, stop), name="vidgen-batch-lease", daemon=True
    )
    renewer.start()
    finished = 0
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="vidgen-batch")
    interrupted = False
    try:
        while True:
            free = concurrency - len(running)
            claimed = (
                ledger.claim_items(group_id, free, lease=lease)
                if free and not should_stop()
                else []
            )
            for item in claimed:
                prepared = work_for(item)
                if isinstance(prepared, BatchResult):
                    _finish(ledger, item, prepared, lease)
                    finished += 1
                    if on_result is not None:
                        on_result(prepared)
                    continue
                work, line = prepared
                with lock:
                    running[pool.submit(work.run, line)] = (item, work)
            if not running:
                if should_stop():
                    return finished
                if idle_wait is None:
                    if not ledger.waiting_items(group_id, ledger.now() + _HORIZON):
                        return finished
                    # Lines another worker holds: done by it, or taken up here once its
                    # lease runs out (a worker that died).
                    stop.wait(min(max(lease.total_seconds() / 4, 0.05), 1.0))
                    continue
                stop.wait(idle_wait)
                continue
            done, _ = wait(list(running), timeout=idle_wait, return_when=FIRST_COMPLETED)
            for future in done:
                with lock:
                    item, work = running.pop(future)
                result = future.result()
                _finish(ledger, item, result, work.retry_after(item.key))
                finished += 1
                if on_result is not None:
                    on_result(result)
    except KeyboardInterrupt:
        # The lines in hand keep their ledger rows: a later run or another worker
        # carries on with them once their lease runs out. Do not wait for them here.
        interrupted = True
        raise
    finally:
        stop.set()
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        renewer.join(5)


def _finish(
    ledger: Ledger, item: Item, result: BatchResult, retry_after: dt.timedelta | None
) -> None:
    """Keep a line's outcome with its item: a settled line is done with; an unsettled one
    (still rendering, over budget, a submit being settled elsewhere) is put aside for a
    lease, then any worker (or the next run) takes it up again."""
    if result.status == "pending":
        ledger.defer_item(
            item.group_id,
            item.key,
            None if retry_after is None else ledger.now() + retry_after,
            result=result.to_dict(),
            error=result.error,
        )
        return
    state = "done" if result.status == "done" else "failed"
    ledger.finish_item(item.group_id, item.key, state, result=result.to_dict(), error=result.error)


def run_batch(
    client: Client,
    requests: Mapping[str, VideoRequest] | Iterable[BatchLine | Mapping[str, Any]],
    folder: str | os.PathLike[str],
    *,
    batch_id: str = "default",
    concurrency: int | None = None,
    budget: Decimal | str | None = None,
    retry_failed: bool = False,
    overwrite: bool = False,
    timeout: float = 900,
    lease: dt.timedelta | None = None,
    enqueue_only: bool = False,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> dict[str, BatchResult]:
    """Run a batch to its end (see `vidgen.Client.batch`)."""
    from ._budget import money
    from ._checks import check_timeout
    from ._ledger.ledger import DEFAULT_LEASE

    lines = _lines(requests)
    check_lines(lines)
    group_id = batch_group_id(batch_id)
    timeout = check_timeout(timeout)
    limit = money(budget, "budget")
    workers = concurrency if concurrency is not None else client.max_in_flight
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidInput(f"concurrency must be 1 or more, not {workers!r}", param="concurrency")
    lease = lease or DEFAULT_LEASE
    target = Path(folder).absolute()
    if target.exists() and not target.is_dir():
        raise InvalidInput(
            f"{target} is a file; give a folder for the batch's videos", param="folder"
        )
    target.mkdir(parents=True, exist_ok=True)
    ledger = client.ledger
    if ledger is None:
        raise ConfigError(
            "a batch needs the job ledger (its lines are kept there); do not pass ledger=False"
        )

    # Before anything is sent: every line's request against what is already kept, and the
    # price of every line still to submit against the budget.
    kept = {item.key: item for item in ledger.items(group_id)}
    changed = [
        line.custom_id
        for line in lines
        if line.custom_id in kept
        and _fingerprint(kept[line.custom_id].request) != _fingerprint(line.to_mapping())
    ]
    if changed:
        raise InvalidInput(
            f"custom_id {changed[0]!r} was already used in batch {batch_id!r} for another "
            f"request ({len(changed)} line(s) changed); a custom_id names one request: give "
            "changed lines new ids",
            param="custom_id",
        )
    jobs = ledger.group_jobs(group_id)
    to_submit = [
        line
        for line in lines
        if not _settled(kept.get(line.custom_id), retry_failed)
        and line.custom_id not in _in_flight(jobs)
    ]
    spent = sum(
        (
            e.quote.amount
            for e in jobs.values()
            if e.quote is not None and e.quote.amount is not None and e.submit_state == ACCEPTED
        ),
        Decimal(0),
    )
    budget_left = _Budget(limit, spent)
    planned: dict[str, Quote] = {}
    problems: dict[str, BatchResult] = {}
    work = _LineWork(
        client,
        group_id=group_id,
        folder=target,
        budget=budget_left,
        timeout=timeout,
        retry_failed=retry_failed,
        overwrite=overwrite,
        lease=lease,
    )
    for line in to_submit:
        try:
            plan = work.client_for(line).plan(line.request)
            planned[line.custom_id] = plan.quote
            work.plans[line.custom_id] = plan  # carried out as made, not planned again
        except VidgenError as exc:
            problems[line.custom_id] = BatchResult(
                line.custom_id, "needs_attention", error=str(exc)
            )
    if limit is not None:
        unknown = [cid for cid, q in planned.items() if q.amount is None]
        if unknown:
            raise BudgetExceeded(
                f"{len(unknown)} line(s) have no known price (first: {unknown[0]!r}) and the "
                f"batch has a budget of {limit}; give their models a price in vidgen.toml or "
                "drop the budget"
            )
        total = spent + sum((q.amount or Decimal(0) for q in planned.values()), Decimal(0))
        if total > limit:
            raise BudgetExceeded(
                f"the batch would cost {total} ({len(planned)} line(s) to submit, {spent} "
                f"already committed), over its budget of {limit}; nothing was submitted"
            )
    ledger.open_group(
        group_id=group_id,
        kind=KIND,
        target=str(target.resolve()),
        spec={
            "batch_id": batch_id,
            "budget": str(limit) if limit is not None else None,
            "lines": len(lines),
        },
        settings={
            **client._rebuild_settings(),
            "retry_failed": retry_failed,
            "overwrite": overwrite,
        },
    )
    ledger.enqueue(
        group_id, [(line.custom_id, i, line.to_mapping()) for i, line in enumerate(lines)]
    )
    ledger.wake_items(group_id)  # run again by hand: lines put aside are tried now
    for custom_id, problem in problems.items():
        ledger.finish_item(
            group_id, custom_id, "failed", result=problem.to_dict(), error=problem.error
        )
    if retry_failed:
        for line in lines:
            item = kept.get(line.custom_id)
            if item is not None and item.state == "failed" and line.custom_id not in problems:
                ledger.finish_item(group_id, line.custom_id, "pending")
    if not enqueue_only:
        by_id = {line.custom_id: line for line in lines}
        counts = _Counts(lines, ledger.items(group_id), on_progress)

        def work_for(item: Item) -> tuple[_LineWork, BatchLine] | BatchResult:
            line = by_id.get(item.key)
            if line is None:  # an item from another run of this batch id: read it back
                line = BatchLine.from_mapping(item.request, where=f"batch line {item.key}")
            counts.started(item.key)
            return work, line

        work_on_items(
            ledger,
            work_for,
            group_id=group_id,
            concurrency=workers,
            lease=lease,
            on_result=counts.finished,
        )
    results = batch_results(ledger, group_id, lines)
    if all(r.status in ("done", "failed") for r in results.values()):
        ledger.finish_group(group_id, "done")
    return results


def batch_results(
    ledger: Ledger, group_id: str, lines: Sequence[BatchLine]
) -> dict[str, BatchResult]:
    """Every line's standing, from the ledger, in the lines' order."""
    items = {item.key: item for item in ledger.items(group_id)}
    results: dict[str, BatchResult] = {}
    for line in lines:
        item = items.get(line.custom_id)
        if item is not None and item.result:
            result = BatchResult.from_dict(item.result)
            if item.state == "claimed" and result.status == "pending":
                result = attrs.evolve(result, error=f"being worked on by {item.claimed_by}")
            results[line.custom_id] = result
        elif item is not None and item.state == "claimed":
            results[line.custom_id] = BatchResult(
                line.custom_id, "pending", error=f"being worked on by {item.claimed_by}"
            )
        else:
            results[line.custom_id] = BatchResult(line.custom_id, "pending", error="not started")
    return results


class _Counts:
    def __init__(
        self,
        lines: Sequence[BatchLine],
        items: Sequence[Item],
        report: Callable[[BatchProgress], None] | None,
    ) -> None:
        self.report = report
        self.total = len(lines)
        self.state: dict[str, str] = {}
        for item in items:
            if item.result:
                self.state[item.key] = BatchResult.from_dict(item.result).status
        self._lock = threading.Lock()
        self._send(None)

    def started(self, key: str) -> None:
        with self._lock:
            self.state[key] = "running"
        self._send(None)

    def finished(self, result: BatchResult) -> None:
        with self._lock:
            self.state[result.custom_id] = result.status
        self._send(result)

    def _send(self, last: BatchResult | None) -> None:
        if self.report is None:
            return
        with self._lock:
            values = list(self.state.values())
        done = values.count("done")
        failed = values.count("failed")
        running = values.count("running")
        attention = values.count("needs_attention")
        self.report(
            BatchProgress(
                total=self.total,
                done=done,
                failed=failed,
                running=running,
                pending=self.total - done - failed - running - attention,
                needs_attention=attention,
                last=last,
            )
        )


def _lines(
    requests: Mapping[str, VideoRequest] | Iterable[BatchLine | Mapping[str, Any]],
) -> list[BatchLine]:
    if isinstance(requests, Mapping):
        lines = []
        for custom_id, request in requests.items():
            if not isinstance(request, VideoRequest):
                raise InvalidInput(
                    f"batch {custom_id!r}: a VideoRequest is needed, not {type(request).__name__}",
                    param="batch",
                )
            lines.append(BatchLine(custom_id=custom_id, request=request))
        return lines
    made = []
    for n, value in enumerate(requests, start=1):
        if isinstance(value, BatchLine):
            made.append(value)
        elif isinstance(value, Mapping):
            made.append(BatchLine.from_mapping(value, where=f"batch line {n}"))
        else:
            raise InvalidInput(
                f"batch line {n}: give a BatchLine or a mapping with a custom_id, not "
                f"{type(value).__name__}",
                param="batch",
            )
    if not made:
        raise InvalidInput("the batch has no lines", param="batch")
    return made


def _fingerprint(mapping: Mapping[str, Any]) -> str:
    fields = {k: v for k, v in mapping.items() if k not in ("output",)}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def _settled(item: Item | None, retry_failed: bool) -> bool:
    if item is None:
        return False
    return item.state == "done" or (item.state == "failed" and not retry_failed)


def _in_flight(jobs: Mapping[str, LedgerEntry]) -> set[str]:
    return {
        key
        for key, entry in jobs.items()
        if entry.submit_state in (SENDING, OUTCOME_UNKNOWN)
        or (
            entry.submit_state == ACCEPTED
            and entry.status not in (JobStatus.FAILED, JobStatus.CANCELLED)
        )
    }


def run_worker(
    ledger: Ledger,
    *,
    batch_id: str | None = None,
    concurrency: int = 4,
    lease: dt.timedelta | None = None,
    keep_running: bool = False,
    poll: float = 2.0,
    config: str | os.PathLike[str] | None = None,
    make_client: Callable[..., Client],
    on_result: Callable[[BatchResult], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Work on the lines of running batches in a (shared) ledger: ``vidgen worker``.

    Each batch is sent as its creator set it up (its profile or provider; the key from
    this machine's environment), its files saved in its folder. A line is claimed with
    a lease that this worker renews while it works; a dead worker's lines are taken up
    once their lease runs out.

    Args:
        batch_id: only this batch (default: every running batch).
        keep_running: look for new lines every ``poll`` seconds instead of returning
            when none is left.
        make_client: builds a batch's client from its ledger group
            (`vidgen._recovery.client_for_group`, or a test's own).

    Returns:
        How many lines this worker finished.
    """
    from ._ledger.ledger import DEFAULT_LEASE

    lease = lease or DEFAULT_LEASE
    group_id = batch_group_id(batch_id) if batch_id is not None else None
    works: dict[str, _LineWork] = {}

    def work_for(item: Item) -> tuple[_LineWork, BatchLine] | BatchResult:
        try:
            line = BatchLine.from_mapping(item.request, where=f"batch line {item.key}")
            work = works.get(item.group_id)
            if work is None:
                work = works[item.group_id] = _work_for_group(
                    ledger, item.group_id, lease, config, make_client
                )
        except VidgenError as exc:
            return BatchResult(item.key, "needs_attention", error=str(exc))
        return work, line

    try:
        return work_on_items(
            ledger,
            work_for,
            group_id=group_id,
            concurrency=concurrency,
            lease=lease,
            on_result=on_result,
            idle_wait=poll if keep_running else None,
            should_stop=should_stop,
        )
    finally:
        for work in works.values():
            work.client.close()


def _work_for_group(
    ledger: Ledger,
    group_id: str,
    lease: dt.timedelta,
    config: str | os.PathLike[str] | None,
    make_client: Callable[..., Client],
) -> _LineWork:
    from ._budget import money

    group = next((g for g in ledger.groups(kind=KIND) if g.group_id == group_id), None)
    if group is None:
        raise ConfigError(f"the ledger has no batch {group_id!r}")
    client = make_client(group, ledger=ledger, config=config, clock=ledger.clock)
    limit = money(group.spec.get("budget"), "budget")
    spent = sum(
        (
            e.quote.amount
            for e in ledger.group_jobs(group_id).values()
            if e.quote is not None and e.quote.amount is not None and e.submit_state == ACCEPTED
        ),
        Decimal(0),
    )
    return _LineWork(
        client,
        group_id=group_id,
        folder=Path(group.target or "."),
        budget=_Budget(limit, spent),
        timeout=float(group.settings.get("timeout") or 900),
        retry_failed=bool(group.settings.get("retry_failed", False)),
        overwrite=bool(group.settings.get("overwrite", False)),
        lease=lease,
    )
