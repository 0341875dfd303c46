"""Callbacks: parsed by the provider, verified and re-read by the client."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aivideoapi_payloads import (
    API,
    COMPLETED,
    COMPLETED_ID,
    CREATE_URL,
    FAILED,
    OUTPUT_URL,
    PROCESSING,
    created,
    task,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import FakeServer, reply

MakeClient = Callable[..., vidgen.Client]
MakeAsyncClient = Callable[..., vidgen.AsyncClient]

HOOK = "https://hooks.example.com/aivideoapi?source=vidgen"
EVIL_URL = "https://evil.example.net/not-your-video.mp4"
#: What a forger would claim: the documented completion, pointing at another host.
FORGED_BODY = task(COMPLETED, output={"urls": [EVIL_URL], "metadata": {"duration": 8}})
STATUS_URL = f"{API}/tasks/{COMPLETED_ID}"


# -- provider.parse_callback ---------------------------------------------------------------------


def test_parse_callback_of_the_completed_example(provider: Provider) -> None:
    job = provider.parse_callback({}, json.dumps(COMPLETED).encode())
    assert job.id == COMPLETED_ID
    assert job.status is JobStatus.SUCCEEDED
    assert job.outputs[0].url == OUTPUT_URL
    assert job.expires_at is not None
    assert job.completed_at is not None
    assert job.expires_at == job.completed_at + dt.timedelta(hours=24)


def test_parse_callback_of_the_failed_example(provider: Provider) -> None:
    job = provider.parse_callback({"content-type": "application/json"}, json.dumps(FAILED).encode())
    assert job.id == FAILED["id"]
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.provider_code == "upstream_error"
    assert "refund" in job.error.message


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"id=7d89c51e&status=completed",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'"completed"',
        b'{"status": "completed"}',
        b'{"id": "7d89c51e", "progress": NaN}',
        b'{"id": "7d89c51e", "created_at": 1e300}',
        json.dumps(task(COMPLETED, output={"urls": OUTPUT_URL})).encode(),
    ],
    ids=[
        "empty",
        "form",
        "binary",
        "list",
        "string",
        "no-id",
        "nan",
        "huge-time",
        "urls-string",
    ],
)
def test_parse_callback_of_a_malformed_body_is_a_protocol_error(
    provider: Provider, body: bytes
) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_callback({}, body)


# -- Client.handle_callback ----------------------------------------------------------------------


def api(*statuses: dict[str, Any], task_id: str = COMPLETED_ID) -> FakeServer:
    """aivideoapi: one create answered with ``task_id``, then each status in turn."""
    script = FakeServer().on("POST", CREATE_URL, reply(json=created(task_id)))
    return script.on("GET", f"{API}/tasks/{task_id}", *(reply(json=s) for s in statuses))


def request_with_hook() -> vidgen.VideoRequest:
    return vidgen.VideoRequest(
        prompt="A drone shot flying over mountains at sunset, cinematic lighting",
        duration=8,
        aspect="16:9",
        callback_url=HOOK,
    )


def sent_hook(script: FakeServer, index: int = 0) -> str:
    """The callback URL the create request carried (where aivideoapi will POST)."""
    return str(script.body(index)["callback_url"])


def test_submit_puts_a_per_job_token_in_the_callback_url(make_client: MakeClient) -> None:
    script = api()
    client = make_client(script)
    job = client.submit(request_with_hook())
    url = httpx.URL(sent_hook(script))
    assert (url.scheme, url.host, url.path) == ("https", "hooks.example.com", "/aivideoapi")
    assert url.params["source"] == "vidgen"  # the caller's own query survives
    token = url.params["vidgen_token"]
    assert len(token) >= 24
    assert client.callback_token(job) == token
    assert client.callback_token(job.id) == token


def test_each_submit_gets_its_own_token(make_client: MakeClient) -> None:
    script = api(task_id="a").on("POST", CREATE_URL, reply(json=created("b")))
    client = make_client(script)
    first, second = client.submit(request_with_hook()), client.submit(request_with_hook())
    tokens = {httpx.URL(sent_hook(script, i)).params["vidgen_token"] for i in (0, 1)}
    assert len(tokens) == 2
    assert tokens == {client.callback_token(first), client.callback_token(second)}


def test_submit_without_a_callback_url_has_no_token(make_client: MakeClient) -> None:
    script = api()
    client = make_client(script)
    job = client.submit(vidgen.VideoRequest(prompt="x"))
    assert "callback_url" not in script.body()
    assert client.callback_token(job) is None


@pytest.mark.parametrize("form", ["bytes", "str", "mapping"])
def test_callback_is_verified_then_reread_from_the_api(make_client: MakeClient, form: str) -> None:
    script = api(COMPLETED)
    client = make_client(script)
    job = client.submit(request_with_hook())
    body: Any = {
        "bytes": json.dumps(FORGED_BODY).encode(),
        "str": json.dumps(FORGED_BODY),
        "mapping": FORGED_BODY,
    }[form]
    fresh = client.handle_callback(
        body, headers={"content-type": "application/json"}, url=sent_hook(script)
    )
    # The state comes from GET /tasks/{id}, not from the callback body.
    (get,) = script.sent("GET")
    assert str(get.url) == STATUS_URL
    assert get.headers["authorization"] == "Bearer sk-test"
    assert fresh.id == job.id
    assert fresh.status is JobStatus.SUCCEEDED
    assert [o.url for o in fresh.outputs] == [OUTPUT_URL]
    assert EVIL_URL not in json.dumps(dict(fresh.raw))


def test_callback_status_is_only_a_hint(make_client: MakeClient) -> None:
    # The body says completed; the API says it is still processing.
    script = api(task(PROCESSING, id=COMPLETED_ID))
    client = make_client(script)
    client.submit(request_with_hook())
    fresh = client.handle_callback(json.dumps(COMPLETED), url=sent_hook(script))
    assert fresh.status is JobStatus.RUNNING
    assert fresh.outputs == ()


def test_callback_of_a_failed_task_returns_the_failure(make_client: MakeClient) -> None:
    failed_id = str(FAILED["id"])
    script = api(FAILED, task_id=failed_id)
    client = make_client(script)
    client.submit(request_with_hook())
    fresh = client.handle_callback(json.dumps(FAILED).encode(), url=sent_hook(script))
    assert fresh.status is JobStatus.FAILED
    assert fresh.error is not None
    assert fresh.error.provider_code == "upstream_error"
    assert "refund" in fresh.error.message


def test_token_may_be_passed_instead_of_the_url(make_client: MakeClient) -> None:
    script = api(COMPLETED)
    client = make_client(script)
    job = client.submit(request_with_hook())
    token = client.callback_token(job)
    assert token is not None
    fresh = client.handle_callback(json.dumps(COMPLETED), token=token)
    assert fresh.outputs[0].url == OUTPUT_URL
    assert len(script.sent("GET")) == 1


def rejected(
    client: vidgen.Client, body: Any, *, url: str | None = None, token: str | None = None
) -> vidgen.CallbackRejected:
    with pytest.raises(vidgen.CallbackRejected) as caught:
        client.handle_callback(body, url=url, token=token)
    return caught.value


@pytest.mark.parametrize(
    ("url", "token"),
    [
        (HOOK, None),
        (HOOK + "&vidgen_token=forged", None),
        (HOOK + "&vidgen_token=", None),
        (None, None),
        (None, "forged"),
        ("https://hooks.example.com/aivideoapi", None),
    ],
    ids=["no-token", "wrong-token", "empty-token", "nothing", "wrong-token-arg", "other-url"],
)
def test_forged_callback_is_rejected_before_any_request(
    make_client: MakeClient, url: str | None, token: str | None
) -> None:
    script = api(COMPLETED)
    client = make_client(script)
    client.submit(request_with_hook())
    error = rejected(client, json.dumps(FORGED_BODY), url=url, token=token)
    assert error.reason == "bad_token"
    assert "vidgen_token" in str(error)
    assert script.sent("GET") == []


def test_token_of_one_job_does_not_open_another(make_client: MakeClient) -> None:
    script = api(task_id="job-a").on("POST", CREATE_URL, reply(json=created("job-b")))
    client = make_client(script)
    client.submit(request_with_hook())
    client.submit(request_with_hook())
    url_for_a = sent_hook(script, 0)
    body_for_b = json.dumps(task(COMPLETED, id="job-b"))
    assert rejected(client, body_for_b, url=url_for_a).reason == "bad_token"
    assert script.sent("GET") == []


def test_callback_for_a_job_this_client_never_submitted(make_client: MakeClient) -> None:
    script = api(COMPLETED)
    client = make_client(script)
    client.submit(request_with_hook())
    stranger = task(COMPLETED, id="00000000-0000-0000-0000-000000000000")
    error = rejected(client, json.dumps(stranger), url=sent_hook(script))
    assert error.reason == "unknown_job"
    assert "expect_callback" in str(error)
    assert script.sent("GET") == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>hello</html>",
        b"[]",
        b'{"status": "completed"}',
        b'{"id": "x", "progress": NaN}',
    ],
    ids=["empty", "html", "list", "no-id", "nan"],
)
def test_malformed_callback_is_rejected(make_client: MakeClient, body: bytes) -> None:
    script = api(COMPLETED)
    client = make_client(script)
    client.submit(request_with_hook())
    error = rejected(client, body, url=sent_hook(script))
    assert error.reason == "malformed"
    assert "aivideoapi" in str(error)
    assert script.sent("GET") == []


def test_expect_callback_lets_another_client_accept_it(make_client: MakeClient) -> None:
    submitter_api = api()
    submitter = make_client(submitter_api)
    job = submitter.submit(request_with_hook())
    token = submitter.callback_token(job)
    hook = sent_hook(submitter_api)
    assert token is not None

    # A receiver on another machine (no shared ledger): it knows the job id and token only
    # from the caller's own storage.
    receiver_api = FakeServer().on("GET", STATUS_URL, reply(json=COMPLETED))
    receiver = make_client(receiver_api, ledger=False)
    assert rejected(receiver, json.dumps(COMPLETED), url=hook).reason == "unknown_job"
    receiver.expect_callback(job.id, token)
    fresh = receiver.handle_callback(json.dumps(FORGED_BODY), url=hook)
    assert fresh.outputs[0].url == OUTPUT_URL
    assert len(receiver_api.sent("GET")) == 1


def test_expect_callback_still_checks_the_token(make_client: MakeClient) -> None:
    receiver_api = FakeServer().on("GET", STATUS_URL, reply(json=COMPLETED))
    receiver = make_client(receiver_api)
    receiver.expect_callback(vidgen.Job(id=COMPLETED_ID, provider="aivideoapi"), "the-token")
    assert rejected(receiver, json.dumps(COMPLETED), token="not-the-token").reason == "bad_token"
    assert receiver.handle_callback(json.dumps(COMPLETED), token="the-token").id == COMPLETED_ID


# -- the async twin ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_callback_is_verified_then_reread_from_the_api(
    make_async_client: MakeAsyncClient,
) -> None:
    script = api(COMPLETED)
    client = make_async_client(script)
    job = await client.submit(request_with_hook())
    token = httpx.URL(sent_hook(script)).params["vidgen_token"]
    assert client.callback_token(job) == token
    fresh = await client.handle_callback(
        json.dumps(FORGED_BODY).encode(), headers={}, url=sent_hook(script)
    )
    (get,) = script.sent("GET")
    assert str(get.url) == STATUS_URL
    assert fresh.status is JobStatus.SUCCEEDED
    assert [o.url for o in fresh.outputs] == [OUTPUT_URL]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "url", "reason"),
    [
        (json.dumps(FORGED_BODY), HOOK + "&vidgen_token=forged", "bad_token"),
        (json.dumps(task(COMPLETED, id="someone-else")), None, "unknown_job"),
        ("not json", None, "malformed"),
    ],
    ids=["bad_token", "unknown_job", "malformed"],
)
async def test_async_rejections(
    make_async_client: MakeAsyncClient, body: str, url: str | None, reason: str
) -> None:
    script = api(COMPLETED)
    client = make_async_client(script)
    await client.submit(request_with_hook())
    with pytest.raises(vidgen.CallbackRejected) as caught:
        await client.handle_callback(body, url=url)
    assert caught.value.reason == reason
    assert script.sent("GET") == []


@pytest.mark.anyio
async def test_async_expect_callback(make_async_client: MakeAsyncClient) -> None:
    receiver_api = FakeServer().on("GET", STATUS_URL, reply(json=COMPLETED))
    receiver = make_async_client(receiver_api)
    receiver.expect_callback(COMPLETED_ID, "the-token")
    fresh = await receiver.handle_callback(
        json.dumps(FORGED_BODY), url=HOOK + "&vidgen_token=the-token"
    )
    assert fresh.outputs[0].url == OUTPUT_URL


def test_a_later_process_finds_the_token_in_the_shared_ledger(make_client: MakeClient) -> None:
    submitter_api = api()
    submitter = make_client(submitter_api)
    job = submitter.submit(request_with_hook())
    hook = sent_hook(submitter_api)
    submitter.close()

    # Same machine, new process: the ledger has the job and its token.
    receiver_api = FakeServer().on("GET", STATUS_URL, reply(json=COMPLETED))
    receiver = make_client(receiver_api)
    fresh = receiver.handle_callback(json.dumps(FORGED_BODY), url=hook)
    assert fresh.id == job.id
    assert fresh.outputs[0].url == OUTPUT_URL  # from the API, not the forged body
    assert rejected(receiver, json.dumps(COMPLETED), token="wrong").reason == "bad_token"
