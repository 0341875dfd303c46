"""A ``Prefer: wait`` create that times out is never sent again; the prediction list finds it.

A user report (research/hosts.md 2.1) says a client that resent a timed-out ``Prefer: wait``
create got several billed predictions. vidgen's submit is resent only when it provably
never reached Replicate (a connect error) or Replicate said 429.
"""

from __future__ import annotations

import httpx
import pytest
from replicate_payloads import CREATED, PROCESSING

import vidgen
from vidgen.testing import FakeServer, fail, fake_async_client, fake_client, reply

KEY = "r8_test_0123456789abcdef"
REQUEST = vidgen.VideoRequest(prompt="A paper lantern", model="veo-3.1-fast")
CREATE = "/v1/models/google/veo-3.1-fast/predictions"


def server() -> FakeServer:
    fake = FakeServer()
    fake.route(
        "POST", CREATE, fail(httpx.ReadTimeout, "the Prefer: wait hold outlasted the read timeout")
    )
    fake.route(
        "GET",
        "/v1/predictions",
        reply(200, json={"next": None, "previous": None, "results": [PROCESSING]}),
    )
    return fake


def test_a_timed_out_wait_is_not_resent() -> None:
    fake = server()
    provider = vidgen.get_provider("replicate", api_key=KEY, prefer_wait=60)
    with fake_client(fake, provider=provider) as client:
        with pytest.raises(vidgen.TransportError) as caught:
            client.submit(REQUEST)
        assert caught.value.request_sent is True
        assert "NOT resent" in str(caught.value)
        found = client.list_jobs()
    assert fake.count("POST", CREATE) == 1
    assert [j.id for j in found] == [CREATED["id"]]


@pytest.mark.anyio
async def test_a_timed_out_wait_is_not_resent_async() -> None:
    fake = server()
    provider = vidgen.get_provider("replicate", api_key=KEY, prefer_wait=60)
    async with fake_async_client(fake, provider=provider) as client:
        with pytest.raises(vidgen.TransportError):
            await client.submit(REQUEST)
    assert fake.count("POST", CREATE) == 1


def test_a_server_error_on_create_is_not_resent() -> None:
    fake = FakeServer()
    fake.route("POST", CREATE, reply(503, json={"detail": "Service Unavailable"}))
    with (
        fake_client(fake, provider="replicate", api_key=KEY) as client,
        pytest.raises(vidgen.ServerError) as caught,
    ):
        client.submit(REQUEST)
    assert fake.count("POST") == 1
    assert caught.value.hint is not None
    assert "not resent" in caught.value.hint
