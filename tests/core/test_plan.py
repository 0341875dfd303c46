"""Issue 10: the plan is a value, carried out as planned, on one injected clock."""

from __future__ import annotations

import datetime as dt
import inspect
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from click.testing import CliRunner

import vidgen
import vidgen._fit
from vidgen._events import (
    JobSeen,
    SubmitAccepted,
    SubmitOutcomeUnknown,
    SubmitRejected,
    SubmitStarting,
)
from vidgen._lifecycle import Env, submit_flow
from vidgen.cli import cli
from vidgen.testing import FakeClock, FakeServer, fake_client, reply

MODEL = {
    "id": "m1",
    "durations": [4, 8],
    "sizes": ["1280x720", "720x1280"],
    "price_per_second": "0.10",
    "price_source": "https://relay.example/pricing",
    "price_as_of": "2026-11-01",
}
REQUEST = vidgen.VideoRequest(prompt="a paper boat", duration=8, aspect="16:9")


def video(status: str, video_id: str = "video_1", **extra: Any) -> dict[str, Any]:
    return {"id": video_id, "object": "video", "status": status, "model": "m1", **extra}


def relay_server(base: str = "https://relay.example/v1") -> FakeServer:
    server = FakeServer()
    path = httpx.URL(base).path.rstrip("/")
    server.route("POST", f"{path}/videos", reply(json=video("queued")))
    server.route("GET", f"{path}/videos/video_1", reply(json=video("completed", progress=100)))
    server.route("GET", f"{path}/videos/video_1/content", reply(content=b"mp4 bytes"))
    return server


class Counter:
    """Counts every fit and quote the core makes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fits = 0
        self.quotes = 0
        fit, quote = vidgen._fit.fit_request, vidgen._fit.quote_fitted

        def counted_fit(*args: Any, **kwargs: Any) -> Any:
            self.fits += 1
            return fit(*args, **kwargs)

        def counted_quote(*args: Any, **kwargs: Any) -> Any:
            self.quotes += 1
            return quote(*args, **kwargs)

        monkeypatch.setattr(vidgen._fit, "fit_request", counted_fit)
        monkeypatch.setattr(vidgen._fit, "quote_fitted", counted_quote)


# -- the plan as a value ----------------------------------------------------------------------


def test_a_plan_is_a_frozen_value_with_its_attempt(tmp_path: Path) -> None:
    client = fake_client(
        relay_server(),
        provider="openai-compatible",
        base_url="https://relay.example/v1",
        models=[MODEL],
    )
    plan = client.plan(REQUEST)
    assert isinstance(plan, vidgen.Plan)
    assert [type(a) for a in plan.attempts] == [vidgen.Attempt]
    attempt = plan.first
    assert (attempt.provider, attempt.profile) == ("openai-compatible", None)
    assert (attempt.fitted.model, attempt.fitted.size, attempt.fitted.seconds) == (
        "m1",
        "1280x720",
        8,
    )
    assert attempt.quote.amount == Decimal("0.80")
    assert isinstance(client.clock, FakeClock)
    assert plan.made_at == client.clock.utcnow()
    assert plan.budget.max_daily_spend is None
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        plan.attempts = ()  # type: ignore[misc]


def test_submitting_a_plan_neither_fits_nor_quotes_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = relay_server()
    client = fake_client(
        server, provider="openai-compatible", base_url="https://relay.example/v1", models=[MODEL]
    )
    counter = Counter(monkeypatch)
    plan = client.plan(REQUEST)
    assert (counter.fits, counter.quotes) == (1, 1)
    client.generate(plan, tmp_path / "boat.mp4")
    assert (counter.fits, counter.quotes) == (1, 1)
    assert server.body()["seconds"] == "8"


def test_generate_from_a_request_fits_and_quotes_once_even_with_a_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = fake_client(
        relay_server(),
        provider="openai-compatible",
        base_url="https://relay.example/v1",
        models=[MODEL],
        ledger=tmp_path / "ledger.sqlite3",
    )
    counter = Counter(monkeypatch)
    client.generate(REQUEST, tmp_path / "boat.mp4")
    assert (counter.fits, counter.quotes) == (1, 1)
    entry = client.ledger.entries()[0] if client.ledger else None
    assert entry is not None
    assert entry.quote is not None
    assert entry.quote.amount == Decimal("0.80")


def test_the_cli_generate_fits_and_quotes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, single=True)
    server = relay_server("https://cheap.example/v1")
    counter = Counter(monkeypatch)
    result = invoke(["generate", "a boat", "-p", "cheap", "-s", "8", "-o", "b.mp4"], server)
    assert result.exit_code == 0, result.output
    assert (counter.fits, counter.quotes) == (1, 1)


def test_a_plan_from_another_client_is_refused_before_any_http() -> None:
    mine = fake_client(
        FakeServer(), provider="openai-compatible", base_url="https://a.example/v1", models=[MODEL]
    )
    other = fake_client(FakeServer(), provider="aivideoapi", api_key="sk-test-0123456789")
    plan = mine.plan(REQUEST)
    with pytest.raises(vidgen.ConfigError, match="does not send to"):
        other.submit(plan)


# -- the CLI carries out what it shows ----------------------------------------------------------


def write_config(tmp_path: Path, *, single: bool = False) -> None:
    profiles = """
[profiles.dear]
provider = "openai-compatible"
base_url = "https://dear.example/v1"
[[profiles.dear.models]]
id = "m1"
durations = [4, 8]
sizes = ["1280x720"]
price_per_second = "0.30"
price_source = "https://dear.example/pricing"
price_as_of = 2026-11-01

[profiles.cheap]
provider = "openai-compatible"
base_url = "https://cheap.example/v1"
[[profiles.cheap.models]]
id = "m1"
durations = [4, 8]
sizes = ["1280x720"]
price_per_second = "0.10"
price_source = "https://cheap.example/pricing"
price_as_of = 2026-11-01
"""
    route = (
        "" if single else '\n[profiles.best]\nprovider = "route"\ncandidates = ["dear", "cheap"]\n'
    )
    (tmp_path / "vidgen.toml").write_text(profiles + route)


def invoke(args: list[str], server: FakeServer, clock: FakeClock | None = None) -> Any:
    clock = clock or FakeClock()
    return CliRunner().invoke(
        cli,
        args,
        env={"COLUMNS": "200"},
        obj={"clock": clock, "sleep": clock.sleep, "http_client": server.client()},
    )


def test_the_cli_prints_the_attempt_it_submits_on_a_route(tmp_path: Path) -> None:
    # The route's first candidate is the dear one; "cheapest" plans the cheap one first.
    write_config(tmp_path)
    server = relay_server("https://cheap.example/v1")
    result = invoke(["generate", "a boat", "-p", "best", "-s", "8", "-o", "b.mp4"], server)
    assert result.exit_code == 0, result.output
    first_line = next(line for line in result.stderr.splitlines() if ": $" in line)
    assert first_line.startswith("cheap m1, 8 s 1280x720: $0.80")
    assert [r.url.host for r in server.sent("POST")] == ["cheap.example"]


def test_the_cli_says_where_the_job_went_when_the_route_moves_on(tmp_path: Path) -> None:
    write_config(tmp_path)
    server = FakeServer()
    # The cheap one refuses with a 400 ("not taken"), so the dear one is tried next.
    server.on(
        "POST",
        "https://cheap.example/v1/videos",
        reply(400, json={"error": {"message": "model busy", "code": "bad"}}),
    )
    server.route("POST", "/v1/videos", reply(json=video("queued")))
    server.route("GET", "/v1/videos/video_1", reply(json=video("completed", progress=100)))
    server.route("GET", "/v1/videos/video_1/content", reply(content=b"mp4"))
    result = invoke(["generate", "a boat", "-p", "best", "-s", "8", "-o", "b.mp4"], server)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stderr.split())
    assert "cheap did not take the job; sent to dear m1, 8 s 1280x720: $2.40" in text
    assert [r.url.host for r in server.sent("POST")] == ["cheap.example", "dear.example"]


# -- one clock ---------------------------------------------------------------------------------


def openai_client(clock: FakeClock) -> vidgen.Client:
    return fake_client(FakeServer(), provider="openai", clock=clock)


def test_a_client_before_the_shutdown_fits_sora_2() -> None:
    plan = openai_client(FakeClock.at("2026-01-01")).plan(
        vidgen.VideoRequest(prompt="a boat", duration=8, aspect="16:9")
    )
    assert plan.fitted.model == "sora-2"
    assert not any("retired" in w for w in plan.warnings)


def test_a_client_after_the_shutdown_refuses_sora_2() -> None:
    client = openai_client(FakeClock.at("2026-09-25"))
    with pytest.raises(vidgen.ModelRetired, match="2026-09-24"):
        client.plan(vidgen.VideoRequest(prompt="a boat", duration=8, aspect="16:9"))


def test_compare_reads_the_clock() -> None:
    before = vidgen.compare(REQUEST, clock=FakeClock.at("2026-01-01"))
    after = vidgen.compare(REQUEST, clock=FakeClock.at("2026-10-01"))
    sora = [o for o in before if o.provider == "openai" and o.model == "sora-2"]
    assert sora
    assert sora[0].available
    assert not sora[0].retired
    sora = [o for o in after if o.provider == "openai" and o.model == "sora-2"]
    assert sora
    assert sora[0].retired


def test_the_cli_quote_reads_its_clock() -> None:
    def quoted(when: str) -> dict[str, Any]:
        clock = FakeClock.at(when)
        result = CliRunner().invoke(
            cli, ["quote", "-s", "8", "-a", "16:9", "--json"], obj={"clock": clock}
        )
        assert result.exit_code == 0, result.output
        return next(
            o
            for o in json.loads(result.stdout)
            if o["provider"] == "openai" and o["model"] == "sora-2"
        )

    assert quoted("2026-01-01")["available"] is True
    assert quoted("2026-10-01")["retired"] is True


def test_ledger_times_and_the_daily_spend_follow_the_client_clock(tmp_path: Path) -> None:
    clock = FakeClock.at("2026-03-01T23:59:00")
    client = fake_client(
        relay_server(),
        provider="openai-compatible",
        base_url="https://relay.example/v1",
        models=[MODEL],
        clock=clock,
        ledger=tmp_path / "l.sqlite3",
        max_daily_spend="1.00",
    )
    client.submit(REQUEST)  # $0.80 on 2026-03-01
    with pytest.raises(vidgen.BudgetExceeded):
        client.submit(REQUEST)  # another $0.80 the same day
    clock.advance(120)  # 2026-03-02: a new day
    client.submit(REQUEST)
    assert client.ledger is not None
    days = sorted(e.created_at.date().isoformat() for e in client.ledger.entries())
    assert days == ["2026-03-01", "2026-03-02"]


# -- typed events ---------------------------------------------------------------------------------


def drive(flow: Any, answers: dict[type, Any]) -> list[Any]:
    """Run a flow by hand: events are collected, sends answered from ``answers``."""
    seen: list[Any] = []
    result: Any = None
    try:
        while True:
            action = flow.send(result)
            seen.append(action)
            result = answers.get(type(action))
            if callable(result) and not isinstance(result, int):
                result = result(action)
    except StopIteration:
        pass
    except vidgen.VidgenError:
        pass
    return seen


@pytest.mark.parametrize(
    ("answer", "last"),
    [
        (httpx.Response(200, json=video("queued")), SubmitAccepted),
        (httpx.Response(400, json={"error": {"message": "no"}}), SubmitRejected),
        (httpx.Response(502, text="bad gateway"), SubmitOutcomeUnknown),
        (httpx.Response(200, text="<html>not json</html>"), SubmitOutcomeUnknown),
    ],
)
def test_submit_yields_typed_events_stamped_by_the_clock(
    answer: httpx.Response, last: type
) -> None:
    from vidgen._actions import Send

    clock = FakeClock.at("2026-05-05T12:00:00")
    provider = vidgen.get_provider(
        "openai-compatible", base_url="https://relay.example/v1", api_key="k", models=[MODEL]
    )
    client = fake_client(FakeServer(), provider=provider, clock=clock)
    attempt = client.plan(REQUEST).first
    env = Env(provider=provider, clock=clock)
    events = [
        a
        for a in drive(submit_flow(env, attempt), {Send: lambda _: answer, SubmitStarting: 7})
        if isinstance(a, vidgen._events.Event)
    ]
    assert [type(e) for e in events] == [SubmitStarting, last]
    assert all(e.at == clock.utcnow() for e in events)
    assert events[0].attempt is attempt
    assert events[1].ledger_id == 7


def test_status_reads_yield_job_seen() -> None:
    from vidgen._actions import Send
    from vidgen._lifecycle import status_flow

    clock = FakeClock()
    provider = vidgen.get_provider("openai-compatible", base_url="https://relay.example/v1")
    env = Env(provider=provider, clock=clock)
    job = vidgen.Job(id="video_1", provider="openai-compatible")
    actions = drive(
        status_flow(env, job), {Send: lambda _: httpx.Response(200, json=video("in_progress"))}
    )
    seen = [a for a in actions if isinstance(a, JobSeen)]
    assert len(seen) == 1
    assert seen[0].job.status is vidgen.JobStatus.RUNNING
    assert seen[0].endpoint == "https://relay.example/v1"


def test_the_ledgers_submit_state_is_not_the_job_status() -> None:
    assert vidgen.SubmitState.OUTCOME_UNKNOWN.value == "outcome_unknown"
    assert vidgen.SubmitState.OUTCOME_UNKNOWN != vidgen.JobStatus.UNKNOWN
    assert {s.value for s in vidgen.SubmitState}.isdisjoint({s.value for s in vidgen.JobStatus})


# -- explicit signatures ----------------------------------------------------------------------


@pytest.mark.parametrize("cls", [vidgen.Client, vidgen.AsyncClient])
def test_client_signatures_are_explicit(cls: type) -> None:
    parameters = inspect.signature(cls.__init__).parameters.values()
    assert not [p for p in parameters if p.kind is p.VAR_KEYWORD]
    names = {p.name for p in parameters}
    assert {"ledger", "max_daily_spend", "models", "clock", "settings", "policy"} <= names
    text = inspect.getdoc(cls) or ""
    for name in ("ledger", "max_daily_spend", "models", "clock", "settings"):
        assert name in text, f"{cls.__name__} does not document {name}"


def test_a_bad_policy_is_refused_when_the_client_is_made() -> None:
    with pytest.raises(vidgen.ConfigError, match="'strict' or 'nearest'"):
        vidgen.Client(provider="openai", policy="lax", ledger=False)  # type: ignore[arg-type]


def test_provider_settings_go_through_settings() -> None:
    client = vidgen.Client(
        provider="openai", settings={"organization": "org-1"}, api_key="sk-x", ledger=False
    )
    assert client.provider.organization == "org-1"  # type: ignore[attr-defined]
    with pytest.raises(vidgen.ConfigError, match="unknown setting"):
        vidgen.Client(provider="openai", settings={"colour": "red"}, ledger=False)


def test_the_plan_made_at_is_the_client_clock() -> None:
    clock = FakeClock.at("2026-02-02T02:02:02")
    client = fake_client(
        FakeServer(),
        provider="openai-compatible",
        base_url="https://r.example/v1",
        models=[MODEL],
        clock=clock,
    )
    assert client.plan(REQUEST).made_at == dt.datetime(2026, 2, 2, 2, 2, 2, tzinfo=dt.timezone.utc)
