"""Parsers never raise anything but vidgen errors; every delay is finite (issue 11, item 9).

A hostile or broken response (JSON nested a thousand levels deep, NaN and infinity where
numbers belong, timestamps past the year 9999, HTML, any status code) yields a neutral
value or a vidgen error: from the built-in parsers themselves, and, for any provider
(third-party ones included), from the lifecycle that calls them.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vidgen
from vidgen.provider import (
    JobPage,
    Provider,
    finite_seconds,
    parse_retry_after,
    read_json,
)
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client, reply

HYPOTHESIS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = 1_760_000_000

# -- documented shapes (WIRE.md), the starting points for mutation ----------------------------

OPENAI_VIDEO: dict[str, Any] = {
    "id": "video_1",
    "object": "video",
    "status": "completed",
    "model": "sora-2",
    "progress": 100,
    "created_at": T0,
    "completed_at": T0 + 100,
    "expires_at": T0 + 86_400,
    "size": "1280x720",
    "seconds": "8",
    "error": None,
}
AIVIDEOAPI_CREATE: dict[str, Any] = {"code": 200, "msg": "success", "data": {"taskId": "task_1"}}
AIVIDEOAPI_TASK: dict[str, Any] = {
    "id": "task_1",
    "status": "completed",
    "model": "sora-2",
    "created_at": T0,
    "completed_at": T0 + 100,
    "progress": 100,
    "output": {"urls": ["https://cdn.example.com/v.mp4"], "metadata": {"duration": 8}},
    "error": None,
}
AZURE_JOB: dict[str, Any] = {
    "object": "video.generation.job",
    "id": "task_1",
    "status": "succeeded",
    "created_at": T0,
    "finished_at": T0 + 100,
    "expires_at": T0 + 86_400,
    "generations": [{"id": "gen_1"}],
    "model": "sora",
    "n_variants": 1,
    "n_seconds": 5,
    "height": 480,
    "width": 854,
    "failure_reason": None,
}
ERROR_BODY: dict[str, Any] = {
    "error": {"message": "bad", "type": "invalid_request_error", "param": "size", "code": "x"}
}

KEYS = sorted(
    {*OPENAI_VIDEO, *AIVIDEOAPI_CREATE, *AIVIDEOAPI_TASK, *AZURE_JOB}
    | {"taskId", "urls", "metadata", "message", "type", "code", "param", "inner_error"}
    | {"has_more", "last_id", "data"}
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e20, -1e20, 253402300800, -62135596801, 1e308, "nan", "inf", "1e999"]),
    st.text(max_size=12),
    st.sampled_from(["", " ", "\x00", "completed", "succeeded", "failed", "<html>", "²"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=5),
    ),
    max_leaves=12,
)


def mutated(template: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """The template with some fields replaced by anything JSON can hold."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(template, json_values)).map(
        lambda changes: {**template, **changes}
    )


def deep(levels: int, opener: str = "[") -> bytes:
    if opener == "[":
        return ("[" * levels + "]" * levels).encode()
    return ('{"a":' * levels + "1" + "}" * levels).encode()


HTML = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def body_strategy(*templates: Mapping[str, Any]) -> st.SearchStrategy[bytes]:
    shaped = st.one_of(*(mutated(t) for t in templates), json_values)
    return st.one_of(
        shaped.map(lambda value: json.dumps(value).encode()),
        shaped.map(lambda value: json.dumps({"data": [value], "has_more": True}).encode()),
        st.binary(max_size=64),
        st.sampled_from([HTML, b"", b"null", b"NaN", deep(1_000), deep(5_000, "{"), deep(100)]),
    )


def response(status: int, body: bytes, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=body,
        headers=dict(headers or {}),
        request=httpx.Request("GET", "https://api.example.com/v1/videos/video_1"),
    )


def built_in_providers() -> list[Provider]:
    return [
        vidgen.get_provider("openai", api_key="sk-test"),
        vidgen.get_provider("apiyi", api_key="sk-test"),
        vidgen.get_provider("aivideoapi", api_key="sk-test"),
        vidgen.get_provider("azure", api_key="k", endpoint="https://r.openai.azure.com"),
        vidgen.get_provider(
            "azure", api="videos", api_key="k", endpoint="https://r.openai.azure.com"
        ),
    ]


PROVIDERS = built_in_providers()
NAMES = [f"{p.name}-{getattr(p, 'api', 'default')}" for p in PROVIDERS]


def neutral_or_vidgen_error(call: Callable[[], Any]) -> Any:
    """The value, or None for a vidgen error; anything else fails the test."""
    try:
        return call()
    except vidgen.VidgenError:
        return None


statuses = st.integers(min_value=100, max_value=599)
any_body = body_strategy(OPENAI_VIDEO, AIVIDEOAPI_CREATE, AIVIDEOAPI_TASK, AZURE_JOB, ERROR_BODY)


# -- the built-in parsers, fuzzed ----------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
@HYPOTHESIS
@given(status=statuses, body=any_body)
def test_parse_submit_and_status_give_a_job_or_a_vidgen_error(
    provider: Provider, status: int, body: bytes
) -> None:
    for parse in (provider.parse_submit, provider.parse_status):
        job = neutral_or_vidgen_error(lambda parse=parse: parse(response(status, body)))
        if job is not None:
            assert isinstance(job, vidgen.Job)
            assert job.id.strip()
            assert job.progress is None or 0 <= job.progress <= 100


@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
@HYPOTHESIS
@given(status=statuses, body=any_body)
def test_parse_list_gives_a_page_or_a_vidgen_error(
    provider: Provider, status: int, body: bytes
) -> None:
    page = neutral_or_vidgen_error(lambda: provider.parse_list(response(status, body)))
    if page is not None:
        assert isinstance(page, JobPage)
        assert page.next_cursor is None or isinstance(page.next_cursor, str)


@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
@HYPOTHESIS
@given(status=statuses, body=any_body)
def test_parse_error_always_returns_a_provider_error(
    provider: Provider, status: int, body: bytes
) -> None:
    error = provider.parse_error(response(status, body))
    assert isinstance(error, vidgen.ProviderError)
    str(error)  # and it can be printed


@HYPOTHESIS
@given(body=any_body)
def test_parse_callback_gives_a_job_or_a_vidgen_error(body: bytes) -> None:
    # aivideoapi is the built-in provider with callbacks; the others refuse them.
    provider = vidgen.get_provider("aivideoapi", api_key="sk-test")
    job = neutral_or_vidgen_error(lambda: provider.parse_callback({}, body))
    if job is not None:
        assert isinstance(job, vidgen.Job)


@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
@HYPOTHESIS
@given(
    headers=st.dictionaries(
        st.sampled_from(["retry-after", "retry-after-ms", "openai-poll-after-ms"]),
        st.sampled_from(
            ["nan", "inf", "-inf", "1e999", "-5", "soon", "Wed, 21 Oct 2099 07:28:00 GMT"]
        )
        | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
    )
)
def test_poll_hints_are_none_or_finite(provider: Provider, headers: dict[str, str]) -> None:
    hint = provider.poll_hint(response(200, b"{}", headers))
    assert hint is None or (math.isfinite(hint) and hint >= 0)


@HYPOTHESIS
@given(value=st.text(max_size=40))
def test_retry_after_is_none_or_finite(value: str) -> None:
    for name in ("retry-after", "retry-after-ms"):
        seconds = parse_retry_after({name: value}, now=FakeClock().utcnow())
        assert seconds is None or (math.isfinite(seconds) and seconds >= 0)
    seconds = finite_seconds(value)
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


# -- the named cases -----------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [100, 1_000, 5_000, 100_000])
@pytest.mark.parametrize("opener", ["[", "{"])
def test_deeply_nested_json_is_a_protocol_error(levels: int, opener: str) -> None:
    with pytest.raises(vidgen.ProtocolError):
        read_json(response(200, deep(levels, opener)), provider="openai")


@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_every_parser_survives_deep_json(provider: Provider, levels: int) -> None:
    body = deep(levels)
    parsers = [provider.parse_submit, provider.parse_status]
    if provider.name != "aivideoapi":  # it has no job list
        parsers.append(provider.parse_list)
    for parse in parsers:
        with pytest.raises(vidgen.ProtocolError):
            parse(response(200, body))
    assert isinstance(provider.parse_error(response(400, body)), vidgen.InvalidRequest)


@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_a_deep_callback_body_is_a_protocol_error(levels: int) -> None:
    provider = vidgen.get_provider("aivideoapi", api_key="sk-test")
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_callback({}, deep(levels, "{"))


@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
def test_out_of_range_timestamps_never_escape_as_value_errors(provider: Provider) -> None:
    for template, value in itertools.product(
        (OPENAI_VIDEO, AIVIDEOAPI_TASK, AZURE_JOB), (1e20, -1e20, 253402300800, "nan", 1e400)
    ):
        body = json.dumps({**template, "created_at": value}).encode()
        job = neutral_or_vidgen_error(lambda body=body: provider.parse_status(response(200, body)))
        assert job is None or isinstance(job, vidgen.Job)


def test_azure_refuses_a_timestamp_past_year_9999() -> None:
    azure = vidgen.get_provider("azure", api_key="k", endpoint="https://r.openai.azure.com")
    body = json.dumps({**AZURE_JOB, "expires_at": 1e20}).encode()
    with pytest.raises(vidgen.ProtocolError, match="cannot read"):
        azure.parse_status(response(200, body))


@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
def test_an_html_page_is_a_protocol_error_or_the_status_error(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError, match="not JSON"):
        provider.parse_status(response(200, HTML))
    with pytest.raises(vidgen.ServerError):
        provider.parse_status(response(502, HTML))


def test_a_body_over_the_json_limit_is_refused_without_parsing() -> None:
    from vidgen.provider import MAX_JSON_BYTES

    body = b'{"id": "' + b"x" * MAX_JSON_BYTES + b'"}'
    with pytest.raises(vidgen.ProtocolError, match="more than vidgen reads"):
        read_json(response(200, body))


# -- every delay is finite, sync and async -------------------------------------------------------

HOSTILE_HINTS = [
    {"openai-poll-after-ms": "nan"},
    {"openai-poll-after-ms": "inf"},
    {"openai-poll-after-ms": "-inf"},
    {"openai-poll-after-ms": "1e400"},
    {"retry-after-ms": "NaN"},
    {"retry-after": "nan"},
    {"retry-after": "Infinity"},
    {"retry-after": "1e999"},
]


def polling_server(headers: Mapping[str, str]) -> FakeServer:
    running = {**OPENAI_VIDEO, "status": "in_progress", "progress": 10}
    return FakeServer().route(
        "GET",
        "/v1/videos/video_1",
        reply(json=running, headers=headers),
        reply(json=running, headers=headers),
        reply(json=OPENAI_VIDEO, headers=headers),
    )


def check_sleeps(clock: FakeClock) -> None:
    assert clock.sleeps
    for seconds in clock.sleeps:
        assert math.isfinite(seconds)
        assert 0.2 <= seconds <= 120


@pytest.mark.parametrize("headers", HOSTILE_HINTS)
def test_wait_sleeps_finite_delays_whatever_the_hint(headers: dict[str, str]) -> None:
    clock = FakeClock()
    client = fake_client(polling_server(headers), provider="openai", clock=clock)
    assert client.wait("video_1").status is vidgen.JobStatus.SUCCEEDED
    check_sleeps(clock)


@pytest.mark.anyio
@pytest.mark.parametrize("headers", HOSTILE_HINTS)
async def test_async_wait_sleeps_finite_delays_whatever_the_hint(headers: dict[str, str]) -> None:
    clock = FakeClock()
    client = fake_async_client(polling_server(headers), provider="openai", clock=clock)
    assert (await client.wait("video_1")).status is vidgen.JobStatus.SUCCEEDED
    check_sleeps(clock)


@pytest.mark.parametrize("headers", HOSTILE_HINTS)
def test_retries_sleep_finite_delays_whatever_the_hint(headers: dict[str, str]) -> None:
    clock = FakeClock()
    limited = {"error": {"message": "slow down", "type": "rate_limit", "code": "rate_limit"}}
    server = FakeServer().route(
        "GET",
        "/v1/videos/video_1",
        reply(429, json=limited, headers=headers),
        reply(503, json=limited, headers=headers),
        reply(json=OPENAI_VIDEO),
    )
    client = fake_client(server, provider="openai", clock=clock)
    assert client.get("video_1").status is vidgen.JobStatus.SUCCEEDED
    assert len(clock.sleeps) == 2
    assert all(math.isfinite(s) and 0 <= s <= 120 for s in clock.sleeps)


class NaNRateLimit(Provider):
    """A plugin whose rate-limit error carries a wait that is not a number."""

    name = "nanlimit"
    default_base_url = "https://nanlimit.example.com/v1"

    def build_submit(self, fitted: Any) -> httpx.Request:
        return httpx.Request("POST", self.url("jobs"), json={})

    def parse_submit(self, response: httpx.Response) -> vidgen.Job:
        return vidgen.Job(id="j1", provider=self.name, status=vidgen.JobStatus.QUEUED)

    def parse_error(self, response: httpx.Response) -> vidgen.ProviderError:
        return vidgen.RateLimited("slow down", provider=self.name, retry_after=float("nan"))


def nan_limited() -> tuple[FakeServer, NaNRateLimit]:
    server = FakeServer().route(
        "POST", "/v1/jobs", reply(429, headers={"retry-after": "inf"}), reply(json={})
    )
    provider = NaNRateLimit(api_key="k")
    provider._extra_models = ({"id": "m1", "durations": [8], "sizes": ["1280x720"]},)
    return server, provider


def test_a_rate_limited_submit_waits_a_finite_time_whatever_retry_after_says() -> None:
    server, provider = nan_limited()
    clock = FakeClock()
    client = fake_client(server, provider=provider, clock=clock)
    client.submit(vidgen.VideoRequest(prompt="a paper boat", duration=8, aspect="16:9"))
    assert server.count("POST") == 2
    assert len(clock.sleeps) == 1
    assert 0 <= clock.sleeps[0] <= 120


@pytest.mark.anyio
async def test_async_a_rate_limited_submit_waits_a_finite_time() -> None:
    server, provider = nan_limited()
    clock = FakeClock()
    client = fake_async_client(server, provider=provider, clock=clock)
    await client.submit(vidgen.VideoRequest(prompt="a paper boat", duration=8, aspect="16:9"))
    assert len(clock.sleeps) == 1
    assert 0 <= clock.sleeps[0] <= 120


@pytest.mark.anyio
async def test_async_wait_with_a_nan_timeout_is_refused() -> None:
    server = FakeServer().on(
        "GET",
        "https://api.openai.com/v1/videos/video_1",
        reply(json={**OPENAI_VIDEO, "status": "in_progress"}),
    )
    client = fake_async_client(server, provider="openai")
    with pytest.raises(vidgen.InvalidInput, match="timeout"):
        await client.wait("video_1", timeout=float("nan"))


@pytest.mark.parametrize(
    "options", [{"initial": float("nan")}, {"maximum": float("inf")}, {"max_server_wait": -1}]
)
def test_policies_refuse_delays_that_are_not_finite(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="finite"):
        vidgen.RetryPolicy(**options)
    poll_options = {"max_delay" if k == "max_server_wait" else k: v for k, v in options.items()}
    with pytest.raises(ValueError, match="finite"):
        vidgen.PollPolicy(**poll_options)


def test_backoff_stays_finite_after_many_attempts() -> None:
    import random

    policy = vidgen.RetryPolicy()
    assert policy.backoff(5_000, random.Random(1)) <= policy.maximum * (1 + policy.jitter)


# -- a third-party provider whose parsers break --------------------------------------------------


class Fragile(Provider):
    """A plugin whose parsers fail the way careless code does."""

    name = "fragile"
    default_base_url = "https://fragile.example.com/v1"
    failure: type[BaseException] = KeyError

    def _boom(self) -> Any:
        if self.failure is RecursionError:
            raise RecursionError("maximum recursion depth exceeded")
        raise self.failure("id")

    def build_submit(self, fitted: Any) -> httpx.Request:
        return httpx.Request("POST", self.url("jobs"), json={})

    def parse_submit(self, response: httpx.Response) -> vidgen.Job:
        return self._boom()  # type: ignore[no-any-return]

    def build_status(self, job: vidgen.Job) -> httpx.Request:
        return httpx.Request("GET", self.url(f"jobs/{job.id}"))

    def parse_status(self, response: httpx.Response) -> vidgen.Job:
        return self._boom()  # type: ignore[no-any-return]

    def build_list(self, limit: int = 20, after: str | None = None) -> httpx.Request:
        return httpx.Request("GET", self.url("jobs"))

    def parse_list(self, response: httpx.Response) -> JobPage:
        return self._boom()  # type: ignore[no-any-return]

    def build_delete(self, job: vidgen.Job) -> httpx.Request:
        return httpx.Request("DELETE", self.url(f"jobs/{job.id}"))

    def parse_delete(self, response: httpx.Response) -> None:
        self._boom()

    def build_cancel(self, job: vidgen.Job) -> httpx.Request:
        return httpx.Request("POST", self.url(f"jobs/{job.id}/cancel"))

    def parse_cancel(self, response: httpx.Response, job: vidgen.Job) -> vidgen.Job | None:
        return self._boom()  # type: ignore[no-any-return]

    def build_download(self, job: vidgen.Job, index: int = 0, variant: str = "video") -> Any:
        return httpx.Request("GET", self.url(f"jobs/{job.id}/video"))

    def parse_error(self, response: httpx.Response) -> vidgen.ProviderError:
        return self._boom()  # type: ignore[no-any-return]

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> vidgen.Job:
        return self._boom()  # type: ignore[no-any-return]


class Hinting(Fragile):
    """Parses fine, but its poll hint breaks."""

    def parse_status(self, response: httpx.Response) -> vidgen.Job:
        return vidgen.Job(id="j1", provider=self.name, status=vidgen.JobStatus.RUNNING)

    def poll_hint(self, response: httpx.Response) -> float | None:
        return float(response.headers["x-poll"])  # KeyError: no such header


FAILURES = [KeyError, ValueError, TypeError, RecursionError, AttributeError, ZeroDivisionError]


def fragile(failure: type[BaseException]) -> Fragile:
    provider = Fragile(api_key="k")
    provider.failure = failure
    return provider


def assert_protocol_error(error: vidgen.ProtocolError, body: str) -> None:
    assert error.provider == "fragile"
    assert "fragile" in str(error)
    assert body in str(error.body)
    assert error.__cause__ is not None


@pytest.mark.parametrize("failure", FAILURES)
def test_a_plugins_status_parser_failure_is_a_protocol_error(
    failure: type[BaseException],
) -> None:
    server = FakeServer().route("GET", "/v1/jobs/j1", reply(json={"weird": "answer"}))
    client = fake_client(server, provider=fragile(failure))
    with pytest.raises(vidgen.ProtocolError) as caught:
        client.get("j1")
    assert_protocol_error(caught.value, "weird")


@pytest.mark.anyio
@pytest.mark.parametrize("failure", FAILURES)
async def test_async_a_plugins_status_parser_failure_is_a_protocol_error(
    failure: type[BaseException],
) -> None:
    server = FakeServer().route("GET", "/v1/jobs/j1", reply(json={"weird": "answer"}))
    client = fake_async_client(server, provider=fragile(failure))
    with pytest.raises(vidgen.ProtocolError) as caught:
        await client.get("j1")
    assert_protocol_error(caught.value, "weird")


def test_a_plugins_submit_parser_failure_is_recorded_as_a_possible_job(tmp_path: Path) -> None:
    server = FakeServer().route("POST", "/v1/jobs", reply(json={"weird": "answer"}))
    provider = fragile(KeyError)
    provider._extra_models = ({"id": "m1", "durations": [8], "sizes": ["1280x720"]},)
    client = fake_client(server, provider=provider, ledger=tmp_path / "ledger.db")
    with pytest.raises(vidgen.ProtocolError, match="may exist"):
        client.submit(vidgen.VideoRequest(prompt="a paper boat", duration=8, aspect="16:9"))
    assert client.ledger is not None
    (entry,) = client.ledger.entries()
    assert entry.submit_state is vidgen.SubmitState.OUTCOME_UNKNOWN


@pytest.mark.parametrize(
    ("call", "route"),
    [
        (lambda c: c.list_jobs(), ("GET", "/v1/jobs")),
        (lambda c: c.delete("j1"), ("DELETE", "/v1/jobs/j1")),
        (lambda c: c.cancel("j1"), ("POST", "/v1/jobs/j1/cancel")),
    ],
    ids=["list", "delete", "cancel"],
)
def test_a_plugins_other_parsers_fail_as_protocol_errors(
    call: Callable[[vidgen.Client], Any], route: tuple[str, str]
) -> None:
    server = FakeServer().route(*route, reply(json={"weird": "answer"}))
    client = fake_client(server, provider=fragile(RecursionError))
    with pytest.raises(vidgen.ProtocolError) as caught:
        call(client)
    assert_protocol_error(caught.value, "weird")


def test_a_plugins_error_parser_failure_is_a_protocol_error() -> None:
    server = FakeServer().route("GET", "/v1/jobs/j1", reply(404, content=b"<html>gone</html>"))
    client = fake_client(server, provider=fragile(KeyError))
    with pytest.raises(vidgen.ProtocolError) as caught:
        client.get("j1")
    assert_protocol_error(caught.value, "gone")


def test_a_plugins_download_error_parser_failure_is_a_protocol_error(tmp_path: Path) -> None:
    server = FakeServer().route("GET", "/v1/jobs/j1/video", reply(403, content=b"denied"))
    client = fake_client(server, provider=fragile(ValueError))
    job = vidgen.Job(id="j1", provider="fragile", status=vidgen.JobStatus.SUCCEEDED)
    with pytest.raises(vidgen.ProtocolError) as caught:
        client.download(job, tmp_path / "v.mp4")
    assert_protocol_error(caught.value, "denied")


def test_a_plugins_poll_hint_failure_is_a_protocol_error() -> None:
    server = FakeServer().route("GET", "/v1/jobs/j1", reply(json={}))
    client = fake_client(server, provider=Hinting(api_key="k"))
    with pytest.raises(vidgen.ProtocolError, match="poll hint"):
        client.wait("j1", timeout=60)


def test_a_plugins_callback_parser_failure_is_a_rejected_callback() -> None:
    client = fake_client(FakeServer(), provider=fragile(RecursionError))
    with pytest.raises(vidgen.CallbackRejected, match="RecursionError"):
        client.handle_callback(b'{"id": "j1"}', token="t")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- errors thrown into the flows are I/O errors, never the ledger's -----------------------------

ROUTE = """
[profiles.first]
provider = "openai-compatible"
base_url = "https://first.example/v1"
api_key_env = "FIRST_KEY"
[[profiles.first.models]]
id = "m1"
durations = [8]
sizes = ["1280x720"]
price_per_second = "0.10"
price_source = "test"
price_as_of = 2026-11-01

[profiles.second]
provider = "openai-compatible"
base_url = "https://second.example/v1"
api_key_env = "SECOND_KEY"
[[profiles.second.models]]
id = "m1"
durations = [8]
sizes = ["1280x720"]
price_per_second = "0.20"
price_source = "test"
price_as_of = 2026-11-01

[profiles.both]
provider = "route"
candidates = ["first", "second"]
strategy = "in_order"
"""


def test_a_ledger_failure_after_the_submit_never_sends_it_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vidgen._events import SubmitAccepted

    class Failing(vidgen.Ledger):
        def record(self, event: Any) -> Any:
            if isinstance(event, SubmitAccepted):
                raise vidgen.LedgerError("the ledger's disk went away")
            return super().record(event)

    config = tmp_path / "vidgen.toml"
    config.write_text(ROUTE)
    monkeypatch.setenv("FIRST_KEY", "k1")
    monkeypatch.setenv("SECOND_KEY", "k2")
    server = FakeServer().route("POST", "/v1/videos", reply(json={**OPENAI_VIDEO, "model": "m1"}))
    clock = FakeClock()
    client = vidgen.Client(
        "both",
        config=config,
        ledger=Failing(tmp_path / "ledger.db", clock=clock),
        clock=clock,
        sleep=clock.sleep,
        http_client=server.client(),
    )
    with pytest.raises(vidgen.LedgerError):
        client.submit(vidgen.VideoRequest(prompt="a paper boat", duration=8, aspect="16:9"))
    assert [r.url.host for r in server.sent("POST")] == ["first.example"]
