"""The ASGI app, driven as a server would drive it (httpx's ASGI transport, and raw ASGI
messages): the same matrix as `receive`, the answers a sender gets, background re-reads
and downloads that never hold up an answer."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from webhook_cases import ALL, SIGNED, TOKEN, VIDEO, Case, Delivery, make_case
from webhook_world import World

import vidgen
from vidgen import webhooks
from vidgen.testing import FakeClock, reply

pytestmark = pytest.mark.anyio


@pytest.fixture(params=ALL)
def case(request: pytest.FixtureRequest) -> Case:
    return make_case(request.param)


@pytest.fixture
def world(case: Case, ledger: vidgen.Ledger, clock: FakeClock) -> World:
    return World.make(case, ledger, at=clock.utcnow() - dt.timedelta(minutes=5))


def make_app(world: World, clock: FakeClock, **options: Any) -> webhooks.WebhookApp:
    secrets = {world.case.name: world.case.secret} if world.case.secret else None
    return webhooks.app(
        [world.case.name],
        secrets=secrets,
        ledger=world.ledger,
        clock=clock,
        http_client=world.server.client(),
        **options,
    )


@pytest.fixture
def app(world: World, clock: FakeClock) -> Iterator[webhooks.WebhookApp]:
    made = make_app(world, clock)
    yield made
    made.close()


async def post(
    app: webhooks.WebhookApp, path: str, delivery: Delivery, *, root: str = ""
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, root_path=root)
    async with httpx.AsyncClient(transport=transport, base_url="https://hooks.example.com") as http:
        url = f"{root}{path}" + (f"?{delivery.query}" if delivery.query else "")
        return await http.post(url, content=delivery.body, headers=delivery.headers)


def accepted_status(world: World) -> int:
    return 202 if world.case.kind == "token" else 200


# -- the matrix ------------------------------------------------------------------------------


async def test_a_genuine_delivery_is_accepted_and_recorded(
    world: World, app: webhooks.WebhookApp, clock: FakeClock
) -> None:
    response = await post(app, f"/{world.case.name}", world.delivery(at=clock.utcnow()))
    assert response.status_code == accepted_status(world)
    assert response.json() == {"ok": True}
    assert app.join(timeout=10)
    assert world.status() == "succeeded"
    assert world.reads() == (1 if world.case.kind == "token" else 0)


async def test_a_forged_delivery_is_refused_without_details(
    world: World, app: webhooks.WebhookApp, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="vidgen.webhooks")
    response = await post(
        app, f"/{world.case.name}", world.delivery(at=clock.utcnow(), forged=True)
    )
    assert response.status_code == 401
    assert response.content == b'{"error": "unauthorized"}'
    assert app.join(timeout=10)
    assert world.status() == "queued"
    assert "forged" in caplog.text  # the reason is logged, not answered
    for secret in (world.case.secret, world.token):
        assert not secret or secret not in caplog.text


async def test_a_replayed_delivery_is_refused(
    world: World, app: webhooks.WebhookApp, clock: FakeClock
) -> None:
    delivery = world.delivery(at=clock.utcnow())
    assert (await post(app, f"/{world.case.name}", delivery)).status_code == accepted_status(world)
    assert app.join(timeout=10)
    again = await post(app, f"/{world.case.name}", delivery)
    assert again.status_code == 400
    assert again.content == b'{"error": "rejected"}'
    assert app.join(timeout=10)
    assert world.reads() == (1 if world.case.kind == "token" else 0)


async def test_a_stale_delivery_is_refused(
    world: World, app: webhooks.WebhookApp, clock: FakeClock
) -> None:
    if world.case.kind == "signed":
        delivery = world.delivery(at=clock.utcnow() - dt.timedelta(minutes=10))
    else:
        clock.advance((webhooks.DEFAULT_CALLBACK_WINDOW + dt.timedelta(minutes=1)).total_seconds())
        delivery = world.delivery(at=clock.utcnow())
    response = await post(app, f"/{world.case.name}", delivery)
    assert response.status_code == 400
    assert app.join(timeout=10)
    assert world.status() == "queued"


# -- downloads -----------------------------------------------------------------------------


async def test_a_finished_job_is_downloaded_in_the_background(
    world: World, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "videos"
    with make_app(world, clock, download_to=folder) as app:
        response = await post(app, f"/{world.case.name}", world.delivery(at=clock.utcnow()))
        assert response.status_code == accepted_status(world)
        assert app.join(timeout=10)
    saved = list(folder.glob("*.mp4"))
    assert len(saved) == 1
    assert saved[0].read_bytes() == VIDEO
    assert saved[0].name.startswith(f"{world.case.name}-")
    entry = world.entry()
    assert entry is not None
    assert entry.downloaded
    assert entry.output_path == str(saved[0])
    assert not list(folder.glob(".*"))  # no part files left


@pytest.mark.parametrize("name", ["replicate", "kling"])
async def test_a_slow_download_never_holds_up_the_answer(
    name: str, ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow())
    release = threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        release.wait(10)
        return reply(content=VIDEO)(request)

    world.server = world.server.__class__()
    world.script_api(at=clock.utcnow())
    world.server._queues.pop(("GET", world.case.video_url(world.job_id)), None)
    world.server.on("GET", world.case.video_url(world.job_id), slow)
    with make_app(world, clock, download_to=tmp_path) as app:
        response = await post(app, f"/{name}", world.delivery(at=clock.utcnow()))
        assert response.status_code == accepted_status(world)
        assert not app.join(timeout=0.05)  # still downloading, and answered already
        release.set()
        assert app.join(timeout=10)
    assert len(list(tmp_path.glob("*.mp4"))) == 1


async def test_jobs_not_submitted_through_vidgen_are_not_downloaded(
    ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path
) -> None:
    world = World.make(make_case("fal"), ledger, at=clock.utcnow(), seed=False)
    with make_app(world, clock, download_to=tmp_path) as app:
        response = await post(app, "/fal", world.delivery(at=clock.utcnow()))
        assert response.status_code == 200
        assert app.join(timeout=10)
    assert not list(tmp_path.glob("*.mp4"))


async def test_a_hostile_job_id_makes_a_safe_file_name(
    ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path
) -> None:
    case = make_case("openrouter")
    world = World.make(case, ledger, at=clock.utcnow())
    # The provider's id, whatever it is, never names a path outside the folder.
    from vidgen.webhooks._app import _safe_name

    assert _safe_name("../../etc/passwd") not in ("..", "")
    assert "/" not in _safe_name("../../etc/passwd")
    assert _safe_name("vid_123") == "vid_123"
    with make_app(world, clock, download_to=tmp_path) as app:
        assert (
            await post(app, "/openrouter", world.delivery(at=clock.utcnow()))
        ).status_code == 200
        assert app.join(timeout=10)
    (saved,) = tmp_path.glob("*.mp4")
    assert saved.parent == tmp_path


# -- what a sender (or anyone else) gets -------------------------------------------------------


async def test_routes_methods_and_sizes(world: World, clock: FakeClock) -> None:
    name = world.case.name
    with make_app(world, clock, max_body_bytes=1000) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            assert (await http.post("/nowhere", content=b"{}")).status_code == 404
            assert (await http.post("/", content=b"{}")).status_code == 404
            assert (await http.post(f"/{name}/a/b", content=b"{}")).status_code == 404
            answer = await http.get(f"/{name}")
            assert answer.status_code == 405
            assert answer.headers["allow"] == "POST"
            assert (await http.put(f"/{name}", content=b"{}")).status_code == 405
            big = await http.post(f"/{name}", content=b"x" * 1001)
            assert big.status_code == 413

            async def stream() -> Any:
                for _ in range(20):
                    yield b"x" * 100

            # No Content-Length: counted while read, and refused once over.
            chunked = await http.post(f"/{name}", content=stream())
            assert chunked.status_code == 413
    assert world.status() == "queued"


@pytest.mark.parametrize("name", TOKEN)
async def test_the_token_may_be_the_last_path_segment(
    name: str, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow())
    delivery = world.delivery(at=clock.utcnow())
    with make_app(world, clock) as app:
        response = await post(
            app, f"/{name}/{world.token}", Delivery(headers=delivery.headers, body=delivery.body)
        )
        assert response.status_code == 202
        assert app.join(timeout=10)
    assert world.status() == "succeeded"


@pytest.mark.parametrize("name", SIGNED)
async def test_signed_routes_have_no_token_path(
    name: str, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow())
    with make_app(world, clock) as app:
        response = await post(app, f"/{name}/{world.token}", world.delivery(at=clock.utcnow()))
    assert response.status_code == 404


async def test_the_minimax_challenge_is_answered_at_once(
    ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case("minimax"), ledger, at=clock.utcnow())
    with make_app(world, clock) as app:
        challenge = Delivery(
            headers={"content-type": "application/json"},
            body=b'{"challenge": "x9"}',
            query="vidgen_token=t",
        )
        response = await post(app, "/minimax", challenge)
    assert response.status_code == 200
    assert response.json() == {"challenge": "x9"}


async def test_a_route_without_its_secret_answers_500_and_logs_what_to_set(
    ledger: vidgen.Ledger, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    case = make_case("replicate")
    world = World.make(case, ledger, at=clock.utcnow())
    with webhooks.app(["replicate"], ledger=ledger, clock=clock) as app:
        response = await post(app, "/replicate", world.delivery(at=clock.utcnow()))
    assert response.status_code == 500
    assert response.content == b'{"error": "server error"}'
    assert "set REPLICATE_WEBHOOK_SECRET" in caplog.text


async def test_mounted_below_a_prefix(world: World, clock: FakeClock) -> None:
    """Starlette's Mount (and uvicorn --root-path) keep the prefix in root_path."""
    with make_app(world, clock) as app:
        response = await post(
            app, f"/{world.case.name}", world.delivery(at=clock.utcnow()), root="/hooks"
        )
        assert response.status_code == accepted_status(world)
        assert app.join(timeout=10)


async def test_lifespan_and_websockets(ledger: vidgen.Ledger, clock: FakeClock) -> None:
    app = webhooks.app(["kling"], ledger=ledger, clock=clock)
    sent: list[dict[str, Any]] = []
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: Any) -> None:
        sent.append(dict(message))

    await app({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    sent.clear()
    await app({"type": "websocket", "path": "/kling"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_the_app_needs_routes_it_can_serve(ledger: vidgen.Ledger) -> None:
    with pytest.raises(vidgen.ConfigError, match="sends no webhooks"):
        webhooks.app(["runway"], ledger=ledger)
    with pytest.raises(vidgen.ConfigError, match="served twice"):
        webhooks.app(["fal", "fal"], ledger=ledger)
    with pytest.raises(vidgen.ConfigError, match="needs the job ledger"):
        webhooks.app(["fal"], ledger=False)
    with pytest.raises(vidgen.ConfigError, match="does not serve"):
        webhooks.app(["fal"], ledger=ledger, secrets={"replicate": "whsec_x"})


def test_by_default_every_provider_that_sends_is_served(ledger: vidgen.Ledger) -> None:
    with webhooks.app(ledger=ledger) as app:
        assert sorted(app.routes) == sorted(ALL)
        assert {name: route.kind for name, route in app.routes.items()} == {
            **dict.fromkeys(SIGNED, "signed"),
            **dict.fromkeys(TOKEN, "token"),
        }
        assert "WebhookApp" in repr(app)


async def test_a_raw_asgi_call(world: World, clock: FakeClock) -> None:
    """No framework, no transport: the messages an ASGI server sends, in pieces."""
    delivery = world.delivery(at=clock.utcnow())
    half = len(delivery.body) // 2
    inbox: list[dict[str, Any]] = [
        {"type": "http.request", "body": delivery.body[:half], "more_body": True},
        {"type": "http.request", "body": delivery.body[half:], "more_body": False},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: Any) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "method": "POST",
        "path": f"/{world.case.name}",
        "query_string": delivery.query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in delivery.headers.items()],
    }
    with make_app(world, clock) as app:
        await app(scope, receive, send)
        assert app.join(timeout=10)
    assert sent[0]["status"] == accepted_status(world)
    assert json.loads(sent[1]["body"]) == {"ok": True}
    assert world.status() == "succeeded"
