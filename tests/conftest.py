"""Shared fixtures: an isolated environment, a fake clock, cassette settings and clients."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import vidgen
import vidgen.plugins
from vidgen.testing import FakeClock

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"

# Environment variables that could leak a real key or config into a test: vidgen's own,
# every installed provider's key variable, and anything named like a credential.
_ISOLATE = (
    "VIDGEN_CONFIG",
    "VIDGEN_DISABLE_PLUGINS",
    "VIDGEN_HOME",
    "VIDGEN_LEDGER_URL",
    "AZURE_OPENAI_ENDPOINT",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_APPLICATION_CREDENTIALS",
)
_CREDENTIAL = re.compile(r"(API_KEY|API_TOKEN|API_SECRET|ACCESS_KEY|SECRET_KEY|_KEY|_TOKEN)$")


def _credential_variables() -> set[str]:
    names = {name for name in os.environ if _CREDENTIAL.search(name)}
    registry = vidgen.plugins.get_registry()
    for provider in registry.names:
        cls = registry.get(provider)
        if cls is not None and cls.api_key_env:
            names.add(cls.api_key_env)
    return names


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real keys or config; the working directory and home are empty temp folders."""
    for name in (*_ISOLATE, *_credential_variables()):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.chdir(tmp_path)
    vidgen.plugins.reset()
    yield
    vidgen.plugins.reset()


@pytest.fixture
def clock() -> FakeClock:
    """A clock that advances only when slept on."""
    return FakeClock()


@pytest.fixture
def anyio_backend() -> str:
    """The async tests run on asyncio (and their ids, which name cassettes, carry no backend)."""
    return "asyncio"


# Response headers that identify an account, and are dropped when a cassette is recorded.
_ACCOUNT_HEADERS = (
    "set-cookie",
    "openai-organization",
    "openai-project",
    "x-ratelimit-limit-tokens",
)


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """When recording: no account headers, and video or image bytes become a short stub.

    vcrpy runs this on playback too, so the short text stubs already in cassettes stay.
    """
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in _ACCOUNT_HEADERS:
            del headers[name]
    kinds = [v for k, values in headers.items() if k.lower() == "content-type" for v in values]
    media = any(
        kind.startswith(("video/", "image/", "application/binary", "application/octet"))
        for kind in kinds
    )
    body = response.get("body", {}).get("string", b"")
    small_text = isinstance(body, str) or (len(body) <= 200 and body.isascii())
    if media and not small_text:
        stub = b"stub-bytes: the recorded body was media and is not kept in the repository"
        response["body"] = {"string": stub}
        for name in list(headers):
            if name.lower() == "content-length":
                headers[name] = [str(len(stub))]
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, object]:
    """Cassettes replay only (``--record-mode`` in pytest's options, "none" unless changed
    on the command line); credentials never get written into them."""
    return {
        "before_record_response": _scrub_response,
        "filter_headers": [
            "authorization",
            "api-key",
            "x-goog-api-key",
            "openai-organization",
            "openai-project",
        ],
        "filter_query_parameters": ["api-key", "key"],
        "decode_compressed_response": True,
        "match_on": ["method", "scheme", "host", "port", "path", "query"],
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """``cassettes/<provider>/`` for tests under ``tests/providers/<provider>/``."""
    test_dir = Path(request.node.fspath).parent
    try:
        provider = test_dir.relative_to(ROOT / "tests" / "providers").parts[0]
    except ValueError:
        provider = "core"
    return str(CASSETTES / provider)


# -- clients whose requests a cassette answers ----------------------------------------------------


@pytest.fixture
def sent() -> list[httpx.Request]:
    """Every request a cassette client sent, in order, as it left (credentials included)."""
    return []


@pytest.fixture
def cassette_client(sent: list[httpx.Request]) -> Iterator[Callable[..., vidgen.Client]]:
    """``cassette_client(clock=..., **options)``: a `vidgen.Client` on a fake clock whose
    requests go through httpx as in real use (so the test's cassette answers them), each
    appended to ``sent`` as it leaves. ``options`` are the client's own; the ledger is on."""
    made: list[vidgen.Client] = []
    with httpx.Client(event_hooks={"request": [sent.append]}) as http:

        def make(*, clock: FakeClock | None = None, **options: Any) -> vidgen.Client:
            clock = clock or FakeClock()
            client = vidgen.Client(clock=clock, sleep=clock.sleep, http_client=http, **options)
            made.append(client)
            return client

        yield make
        for client in made:
            client.close()


@pytest.fixture
async def cassette_async_client(
    sent: list[httpx.Request],
) -> AsyncIterator[Callable[..., vidgen.AsyncClient]]:
    """``cassette_async_client(clock=..., **options)``: the async twin of ``cassette_client``."""

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    made: list[vidgen.AsyncClient] = []
    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:

        def make(*, clock: FakeClock | None = None, **options: Any) -> vidgen.AsyncClient:
            clock = clock or FakeClock()
            client = vidgen.AsyncClient(
                clock=clock, sleep=clock.asleep, http_client=http, **options
            )
            made.append(client)
            return client

        yield make
        for client in made:
            await client.aclose()
