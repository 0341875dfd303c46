"""One provider's world for a webhook test: a job in the ledger, and its API on a FakeServer.

`World` seeds a job as submitted through vidgen (with its callback token), builds
deliveries about it, and scripts what the provider's API answers when vidgen reads the
job again (and the video's bytes), so the three ways of receiving can be driven alike.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import attrs
from webhook_cases import HOOK, VIDEO, Case, Delivery

import vidgen
from vidgen import Job
from vidgen.provider import Provider
from vidgen.testing import FakeServer, reply


def status_url(provider: Provider, job: Job) -> str:
    """Where the provider reads ``job`` (what a re-read asks for)."""
    return str(provider.build_status(job).url.copy_with(query=None))


@attrs.define
class World:
    case: Case
    provider: Provider
    ledger: vidgen.Ledger
    job_id: str
    token: str
    server: FakeServer
    submitted_at: dt.datetime
    #: where the provider's API reads the job (for unsigned callbacks)
    read_url: str | None = None

    @classmethod
    def make(
        cls,
        case: Case,
        ledger: vidgen.Ledger,
        *,
        provider: Provider | None = None,
        at: dt.datetime,
        origin: str | None = None,
        seed: bool = True,
    ) -> World:
        chosen = provider or vidgen.get_provider(case.name)
        job_id = case.new_job_id()
        token = secrets.token_urlsafe(24)
        if seed:
            case.seed(ledger, chosen, job_id, at=at, token=token)
        world = cls(
            case=case,
            provider=chosen,
            ledger=ledger,
            job_id=job_id,
            token=token,
            server=FakeServer(),
            submitted_at=at,
        )
        world.script_api(at=at, origin=origin)
        return world

    def script_api(self, *, at: dt.datetime, origin: str | None = None) -> None:
        """The API answers a read of the job with "succeeded" (for as many reads as come),
        and the video's host serves its bytes."""
        entry = self.entry()
        job = (
            entry.job
            if entry is not None and entry.job is not None
            else Job(id=self.job_id, provider=self.provider.name)
        )
        if self.case.kind == "token":
            body = self.case.status_body(self.job_id, self.token, at=at, origin=origin)
            self.read_url = status_url(self.provider, job)
            self.server.on("GET", self.read_url, *(reply(json=body) for _ in range(5)))
        self.server.on(
            "GET",
            self.case.video_url(self.job_id, origin),
            *(reply(content=VIDEO, headers={"content-type": "video/mp4"}) for _ in range(3)),
        )

    def delivery(self, *, at: dt.datetime, **options: Any) -> Delivery:
        return self.case.delivery(self.job_id, at=at, token=self.token, **options)

    def url(self, delivery: Delivery) -> str:
        """The URL a delivery was POSTed to (the callback URL vidgen sent, with its token)."""
        return f"{HOOK}?{delivery.query}" if delivery.query else HOOK

    def entry(self) -> vidgen.LedgerEntry | None:
        return self.ledger.find(self.provider.name, self.provider.endpoint, self.job_id)

    def status(self) -> str | None:
        entry = self.entry()
        return entry.status.value if entry is not None and entry.status is not None else None

    def reads(self) -> int:
        """How many times the provider's API was asked for the job."""
        return len(
            [r for r in self.server.requests if str(r.url.copy_with(query=None)) == self.read_url]
        )
