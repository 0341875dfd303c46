"""Routing profiles, budgets and the honesty of price data (issue 6)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import vidgen
from vidgen.cli import cli
from vidgen.plugins import get_registry
from vidgen.testing import FakeClock

CONFIG = """
[profiles.pricey]
provider = "openai-compatible"
base_url = "https://pricey.example/v1"
api_key_env = "PRICEY_KEY"
[[profiles.pricey.models]]
id = "veo-3.1-fast"
durations = [4, 6, 8]
sizes = ["1280x720", "720x1280"]
price_per_second = "0.20"
price_source = "https://pricey.example/pricing"
price_as_of = 2026-11-01

[profiles.cheap]
provider = "openai-compatible"
base_url = "https://cheap.example/v1"
api_key_env = "CHEAP_KEY"
[[profiles.cheap.models]]
id = "veo-3.1-fast"
durations = [4, 8]
sizes = ["1280x720", "720x1280"]
price_per_second = "0.10"
price_source = "https://cheap.example/pricing"
price_as_of = 2026-11-01

[profiles.best]
provider = "route"
candidates = ["pricey", "cheap"]
strategy = "cheapest"

[profiles.ordered]
provider = "route"
candidates = ["pricey", "cheap"]
strategy = "in_order"
"""

VIDEO = {
    "object": "video",
    "model": "veo-3.1-fast",
    "status": "queued",
    "progress": 0,
    "created_at": 1_760_000_000,
    "size": "1280x720",
    "seconds": "8",
}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "vidgen.toml"
    path.write_text(CONFIG)
    monkeypatch.setenv("PRICEY_KEY", "pricey-test-key")
    monkeypatch.setenv("CHEAP_KEY", "cheap-test-key")
    return path


Handler = Callable[[httpx.Request], httpx.Response]


class Hosts:
    """A mock transport with one handler per host, recording every request."""

    def __init__(self, **handlers: Handler) -> None:
        self.handlers = {host.replace("_", "."): h for host, h in handlers.items()}
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.handlers[request.url.host](request)

    def posts(self, host: str) -> int:
        return sum(1 for r in self.seen if r.method == "POST" and r.url.host == host)


def created(request: httpx.Request) -> httpx.Response:
    if request.method == "POST":
        return httpx.Response(200, json={**VIDEO, "id": f"video_{request.url.host}"})
    return httpx.Response(200, json={**VIDEO, "id": request.url.path.rsplit("/", 1)[-1]})


def answer(status: int, body: dict[str, object] | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body or {"error": {"message": "nope", "code": "x"}})

    return handle


def raise_(exc: type[httpx.TransportError]) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)

    return handle


def client(config: Path, hosts: Hosts, profile: str = "best", **kwargs: object) -> vidgen.Client:
    clock = FakeClock()
    return vidgen.Client(
        profile,
        config=config,
        http_client=httpx.Client(transport=httpx.MockTransport(hosts)),
        clock=clock,
        sleep=clock.sleep,
        **kwargs,
    )


REQUEST = vidgen.VideoRequest(prompt="a lighthouse at dusk", duration=8, aspect="16:9")


def test_cheapest_candidate_gets_the_job_and_the_job_records_it(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=created)
    job = client(config, hosts).submit(REQUEST)
    assert job.profile == "cheap"
    assert job.provider == "openai-compatible"
    assert hosts.posts("cheap.example") == 1
    assert hosts.posts("pricey.example") == 0


def test_in_order_strategy_keeps_the_configured_order(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=created)
    job = client(config, hosts, "ordered").submit(REQUEST)
    assert job.profile == "pricey"


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 422])
def test_a_refusal_that_proves_no_job_moves_to_the_next_candidate(
    config: Path, status: int
) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=answer(status))
    job = client(config, hosts).submit(REQUEST)
    assert job.profile == "pricey"
    assert hosts.posts("cheap.example") == 1
    assert hosts.posts("pricey.example") == 1


def test_rate_limit_is_retried_then_moves_on(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=answer(429))
    job = client(config, hosts).submit(REQUEST)
    assert job.profile == "pricey"
    # The 429 submit is retried on the same candidate first (it provably created nothing).
    assert hosts.posts("cheap.example") == vidgen.RetryPolicy().submit_attempts


def test_connect_error_proves_nothing_was_sent_and_moves_on(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=raise_(httpx.ConnectError))
    job = client(config, hosts).submit(REQUEST)
    assert job.profile == "pricey"


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (answer(500), vidgen.ServerError),
        (answer(503), vidgen.ServerError),
        (raise_(httpx.ReadTimeout), vidgen.TransportError),
        (raise_(httpx.RemoteProtocolError), vidgen.TransportError),
    ],
)
def test_an_ambiguous_failure_never_moves_to_another_vendor(
    config: Path, handler: Handler, error: type[Exception]
) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=handler)
    with pytest.raises(error) as raised:
        client(config, hosts).submit(REQUEST)
    assert hosts.posts("cheap.example") == 1
    assert hosts.posts("pricey.example") == 0
    assert "may" in str(raised.value)  # says the job may exist


def test_missing_key_on_one_candidate_moves_on(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHEAP_KEY")
    hosts = Hosts(pricey_example=created, cheap_example=created)
    job = client(config, hosts).submit(REQUEST)
    assert job.profile == "pricey"
    assert hosts.posts("cheap.example") == 0


def test_fit_rejection_skips_a_candidate_without_http(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=created)
    six = vidgen.VideoRequest(prompt="a lighthouse at dusk", duration=6, aspect="16:9")
    job = client(config, hosts).submit(six)  # only "pricey" offers 6 s
    assert job.profile == "pricey"
    assert hosts.posts("cheap.example") == 0


def test_no_candidate_fits_names_each_reason(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=created)
    with pytest.raises(vidgen.UnsupportedRequest) as raised:
        client(config, hosts).submit(vidgen.VideoRequest(prompt="x", duration=30))
    assert "pricey" in str(raised.value)
    assert "cheap" in str(raised.value)
    assert hosts.seen == []


def test_the_last_candidates_error_is_raised_when_all_refuse(config: Path) -> None:
    hosts = Hosts(pricey_example=answer(401), cheap_example=answer(403))
    with pytest.raises(vidgen.AuthenticationError):
        client(config, hosts).submit(REQUEST)
    assert hosts.posts("cheap.example") == 1
    assert hosts.posts("pricey.example") == 1


def test_status_goes_to_the_vendor_that_took_the_job(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=answer(401))
    routed = client(config, hosts)
    job = routed.submit(REQUEST)
    hosts.seen.clear()
    fresh = routed.get(job)
    assert [r.url.host for r in hosts.seen] == ["pricey.example"]
    assert fresh.profile == "pricey"


def test_a_bare_id_is_ambiguous_on_a_route(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=created)
    with pytest.raises(vidgen.ConfigError, match="pass the Job"):
        client(config, hosts).get("video_1")


def test_budget_refuses_before_any_http(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=created)
    single = client(config, hosts, "pricey", max_job_cost="1.00")  # 8 s x $0.20 = $1.60
    with pytest.raises(vidgen.BudgetExceeded) as raised:
        single.submit(REQUEST)
    assert raised.value.amount == Decimal("1.60")
    assert raised.value.limit == Decimal("1.00")
    assert "$1.60" in str(raised.value)
    assert hosts.seen == []


def test_budget_on_a_route_drops_only_the_expensive_candidates(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=answer(401))
    routed = client(config, hosts, "ordered", max_job_cost="1.00")
    with pytest.raises(vidgen.AuthenticationError):
        routed.submit(REQUEST)  # pricey is over budget, so only cheap is tried
    assert hosts.posts("pricey.example") == 0


def test_budget_everything_over_is_budget_exceeded(config: Path) -> None:
    hosts = Hosts(pricey_example=created, cheap_example=created)
    with pytest.raises(vidgen.BudgetExceeded, match="every candidate"):
        client(config, hosts, max_job_cost="0.10").submit(REQUEST)
    assert hosts.seen == []


def test_budget_from_config_applies(tmp_path: Path, config: Path) -> None:
    config.write_text('max_job_cost = "0.50"\n' + CONFIG)
    hosts = Hosts(pricey_example=created, cheap_example=created)
    with pytest.raises(vidgen.BudgetExceeded):
        client(config, hosts, "cheap").submit(REQUEST)  # $0.80 > $0.50
    assert hosts.seen == []


def test_unknown_price_with_a_budget_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vidgen.toml"
    path.write_text(
        """
[profiles.free]
provider = "openai-compatible"
base_url = "https://free.example/v1"
max_job_cost = "5"
[[profiles.free.models]]
id = "m"
durations = [4]
sizes = ["1280x720"]
"""
    )
    hosts = Hosts(free_example=created)
    with pytest.raises(vidgen.BudgetExceeded, match="no known price"):
        client(path, hosts, "free").submit(vidgen.VideoRequest(prompt="x"))
    assert hosts.seen == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[profiles.r]\nprovider = "route"\n', "needs candidates"),
        ('[profiles.r]\nprovider = "route"\ncandidates = []\n', "needs candidates"),
        ('[profiles.r]\nprovider = "route"\ncandidates = ["a"]\nstrategy = "random"\n', "strategy"),
        ('[profiles.r]\nprovider = "route"\ncandidates = ["a"]\nbase_url = "x"\n', "unknown key"),
    ],
)
def test_route_profiles_are_validated(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "vidgen.toml"
    path.write_text(text)
    with pytest.raises(vidgen.ConfigError, match=message):
        vidgen.load_config(path)


def test_compare_lists_profiles_not_routes(config: Path) -> None:
    offers = vidgen.compare(REQUEST, config=config)
    labels = {o.label for o in offers}
    assert {"pricey", "cheap"} <= labels
    assert "best" not in labels
    priced = [o for o in offers if o.available and o.quote and o.quote.amount is not None]
    amounts = [o.quote.amount for o in priced if o.quote]
    assert amounts == sorted(amounts)
    # Of this config's profiles, the cheap one comes first (built-in providers may be cheaper).
    ours = [o for o in priced if o.label in ("pricey", "cheap")]
    assert ours[0].label == "cheap"


def test_quote_cli_on_a_route_lists_its_candidates(config: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["quote", "-s", "8", "-a", "16:9", "--profile", "best", "--config", str(config), "--json"],
    )
    assert result.exit_code == 0, result.output
    offers = json.loads(result.stdout)
    assert {o["profile"] for o in offers} == {"pricey", "cheap"}


def test_quote_table_lists_every_provider_with_sources_and_dates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vidgen.cli import _render

    monkeypatch.setattr(_render.console, "width", 200)  # one row per line, as in a wide terminal
    result = CliRunner().invoke(cli, ["quote", "--seconds", "12", "--aspect", "16:9"])
    assert result.exit_code == 0, result.output
    text = result.stderr
    for name in ("openai", "apiyi", "aivideoapi", "azure"):
        assert name in text
    assert "2026-08-21" in text  # price dates
    assert "[1]" in text  # sources are cited under the table


def test_every_shipped_price_has_a_source_and_a_date() -> None:
    registry = get_registry()
    checked = 0
    for name in registry.names:
        cls = registry.get(name)
        assert cls is not None
        if cls.catalog_package is None:
            continue  # prices come from config
        catalogs = (
            [cls().catalog]
            if name != "azure"
            else [
                cls(api=api).catalog
                for api in ("jobs", "videos")  # type: ignore[call-arg]
            ]
        )
        for catalog in catalogs:
            for spec in catalog.models:
                assert spec.prices, f"{name}/{spec.id} has no price entry (even an unknown one)"
                for price in spec.prices:
                    assert price.source, f"{name}/{spec.id}: a price without a source"
                    assert price.as_of, f"{name}/{spec.id}: a price without a date"
                    checked += 1
    assert checked >= 8


def test_config_prices_without_source_are_shown_as_such(tmp_path: Path) -> None:
    provider = vidgen.get_provider(
        "openai-compatible",
        base_url="https://r.example/v1",
        models=[{"id": "m", "durations": [4], "sizes": ["1280x720"], "price_per_second": "0.1"}],
    )
    quote = provider.quote(provider.fit(vidgen.VideoRequest(prompt="x")))
    assert quote.amount == Decimal("0.4")
    assert quote.source is None
    assert quote.as_of is None
