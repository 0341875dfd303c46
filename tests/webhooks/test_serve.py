"""``vidgen webhooks serve`` in a process of its own, driven over real HTTP on 127.0.0.1.

One server serves every provider for the whole module (starting Python and vidgen takes a
second or two). Each provider is a profile whose API is a small local stub, so the
server's re-reads and downloads never leave the machine; secrets and keys reach it only
through its environment, as they would in production.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from click.testing import CliRunner
from webhook_cases import ALL, SIGNED, VIDEO, Case, Delivery, make_case

import vidgen
from vidgen import webhooks
from vidgen.cli import cli

#: The provider whose outputs the stub can serve: OpenRouter's come from its API's own
#: origin; every other provider hands out https links to a CDN, which vidgen insists on.
FROM_THE_API = ("openrouter",)
CLI = [sys.executable, "-c", "from vidgen.cli import main; main()"]
DEADLINE = 30.0

#: Each provider's API root under the stub's origin.
API_PATHS = {
    "replicate": "/v1",
    "fal": "",
    "openrouter": "/api/v1",
    "aivideoapi": "/v1",
    "byteplus": "/api/v3",
    "volcengine": "/api/v3",
    "kling": "",
    "minimax": "",
}


class Stub:
    """A local stand-in for the providers' APIs and CDNs: answers what a test scripted."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[str, bytes]] = {}
        self.seen: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                stub.seen.append(path)
                found = stub.answers.get(path)
                if found is None:
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                kind, body = found
                self.send_response(200)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json(self, url: str, body: Any) -> None:
        self.answers[httpx.URL(url).path] = ("application/json", json.dumps(body).encode())

    def video(self, url: str) -> None:
        self.answers[httpx.URL(url).path] = ("video/mp4", VIDEO)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@attrs.define
class Served:
    url: str
    config: Path
    ledger_path: Path
    videos: Path
    log: Path
    stub: Stub
    cases: dict[str, Case]

    def route(self, name: str) -> webhooks.Route:
        return webhooks.resolve_route(name, self.config)

    def post(self, path: str, delivery: Delivery) -> httpx.Response:
        url = f"{self.url}{path}" + (f"?{delivery.query}" if delivery.query else "")
        return httpx.post(url, content=delivery.body, headers=delivery.headers, timeout=30)

    def ledger(self) -> vidgen.Ledger:
        return vidgen.Ledger(self.ledger_path)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("serve")
    stub = Stub()
    cases = {name: make_case(name) for name in ALL}
    config = folder / "vidgen.toml"
    config.write_text(
        "".join(
            f'[profiles.{name}]\nprovider = "{name}"\nbase_url = "{stub.origin}{path}"\n\n'
            for name, path in API_PATHS.items()
        ),
        encoding="utf-8",
    )
    registry = vidgen.plugins.get_registry()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder / "home"),
        "VIDGEN_HOME": str(folder / "vidgen-home"),
        "VIDGEN_CONFIG": str(config),
        **{
            f"{name.upper()}_WEBHOOK_SECRET": str(case.secret)
            for name, case in cases.items()
            if case.secret
        },
        **{str(registry.get(name).api_key_env): f"test-key-{name}" for name in ALL},  # type: ignore[union-attr]
    }
    port_file = folder / "port"
    log = folder / "serve.log"
    videos = folder / "videos"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *CLI,
                "webhooks",
                "serve",
                "--port",
                "0",
                "--port-file",
                str(port_file),
                "--download-to",
                str(videos),
                "--lifetime",
                "300",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + DEADLINE
        while not (port_file.exists() and port_file.read_text()):
            if process.poll() is not None:
                raise RuntimeError(f"vidgen webhooks serve exited: {log.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"vidgen webhooks serve did not start: {log.read_text()}")
            time.sleep(0.02)
        yield Served(
            url=f"http://127.0.0.1:{int(port_file.read_text())}",
            config=config,
            ledger_path=folder / "vidgen-home" / "ledger.sqlite3",
            videos=videos,
            log=log,
            stub=stub,
            cases=cases,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stub.close()


@attrs.define
class Job:
    """One job of a test, seeded in the served ledger, with its API scripted on the stub."""

    served: Served
    case: Case
    route: webhooks.Route
    job_id: str
    token: str

    @classmethod
    def make(cls, served: Served, name: str, *, submitted: dt.datetime | None = None) -> Job:
        import secrets

        case = served.cases[name]
        route = served.route(name)
        job_id = case.new_job_id()
        token = secrets.token_urlsafe(24)
        at = submitted or dt.datetime.now(dt.timezone.utc)
        with served.ledger() as book:
            case.seed(book, route.provider, job_id, at=at, token=token)
        job = cls(served=served, case=case, route=route, job_id=job_id, token=token)
        job.script()
        return job

    @property
    def files(self) -> str:
        """Where this provider's videos are: on the stub (the API's own origin, which
        vidgen may fetch from), or for providers that hand out https CDN links, on a
        ``.localhost`` name, which vidgen refuses before any I/O: the job is recorded, its
        download refused (the ASGI tests download them), and nothing leaves the machine."""
        if self.case.name in FROM_THE_API:
            return f"{self.served.stub.origin}/api/v1/videos"
        return f"https://cdn.localhost/files/{self.case.name}"

    def script(self) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        stub = self.served.stub
        stub.video(self.case.video_url(self.job_id, self.files))
        if self.case.kind == "token":
            with self.served.ledger() as book:
                entry = book.find(
                    self.route.provider.name, self.route.provider.endpoint, self.job_id
                )
                assert entry is not None
                assert entry.job is not None
                url = self.route.provider.build_status(entry.job).url
            stub.json(
                str(url), self.case.status_body(self.job_id, self.token, at=now, origin=self.files)
            )

    def delivery(self, *, at: dt.datetime | None = None, **options: Any) -> Delivery:
        when = at or dt.datetime.now(dt.timezone.utc)
        return self.case.delivery(
            self.job_id, at=when, token=self.token, origin=self.files, **options
        )

    def status(self) -> str | None:
        with self.served.ledger() as book:
            entry = book.find(self.route.provider.name, self.route.provider.endpoint, self.job_id)
        return entry.status.value if entry is not None and entry.status is not None else None

    def downloaded(self) -> str | None:
        with self.served.ledger() as book:
            entry = book.find(self.route.provider.name, self.route.provider.endpoint, self.job_id)
        return entry.output_path if entry is not None else None


def eventually(check: Callable[[], Any], what: str, served: Served) -> Any:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} never happened; the server said:\n{served.log.read_text()}")


def accepted(case: Case) -> int:
    return 202 if case.kind == "token" else 200


# -- the matrix, over HTTP -------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_serve_accepts_a_genuine_delivery_and_records_it(served: Served, name: str) -> None:
    job = Job.make(served, name)
    response = served.post(f"/{name}", job.delivery())
    assert response.status_code == accepted(job.case), served.log.read_text()
    eventually(lambda: job.status() == "succeeded", f"{name} job recorded as succeeded", served)
    if name in FROM_THE_API:
        path = eventually(job.downloaded, f"{name} video downloaded", served)
        assert Path(path).read_bytes() == VIDEO
        assert Path(path).parent == served.videos.resolve()


@pytest.mark.parametrize("name", ALL)
def test_serve_refuses_a_forged_delivery(served: Served, name: str) -> None:
    job = Job.make(served, name)
    response = served.post(f"/{name}", job.delivery(forged=True))
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}
    assert job.status() == "queued"


@pytest.mark.parametrize("name", ALL)
def test_serve_refuses_a_replayed_delivery(served: Served, name: str) -> None:
    job = Job.make(served, name)
    delivery = job.delivery()
    assert served.post(f"/{name}", delivery).status_code == accepted(job.case)
    again = served.post(f"/{name}", delivery)
    assert again.status_code == 400
    assert again.json() == {"error": "rejected"}


@pytest.mark.parametrize("name", ALL)
def test_serve_refuses_a_stale_delivery(served: Served, name: str) -> None:
    case = served.cases[name]
    now = dt.datetime.now(dt.timezone.utc)
    if case.kind == "signed":
        job = Job.make(served, name)
        delivery = job.delivery(at=now - dt.timedelta(minutes=10))
    else:
        job = Job.make(served, name, submitted=now - dt.timedelta(hours=73))
        delivery = job.delivery()
    response = served.post(f"/{name}", delivery)
    assert response.status_code == 400
    assert job.status() == "queued"


def test_serve_answers_what_is_not_a_delivery(served: Served) -> None:
    assert httpx.get(f"{served.url}/replicate").status_code == 405
    assert httpx.post(f"{served.url}/runway", content=b"{}").status_code == 404
    big = httpx.post(f"{served.url}/fal", content=b"x" * (2 * 1024 * 1024 + 1))
    assert big.status_code == 413
    challenge = httpx.post(f"{served.url}/minimax?vidgen_token=t", content=b'{"challenge": "abc"}')
    assert (challenge.status_code, challenge.json()) == (200, {"challenge": "abc"})


def test_serve_logs_reasons_but_never_secrets_or_tokens(served: Served) -> None:
    job = Job.make(served, "kling")
    served.post("/kling", job.delivery(forged=True))
    signed = Job.make(served, "openrouter")
    served.post("/openrouter", signed.delivery(forged=True))
    text = eventually(
        lambda: "forged" in served.log.read_text() and served.log.read_text(), "a log line", served
    )
    assert "refused a kling delivery (forged)" in text
    assert job.token not in text
    for case in served.cases.values():
        assert not case.secret or case.secret not in text
    assert "127.0.0.1" in text.splitlines()[0]  # the banner


# -- the command line ----------------------------------------------------------------------


def test_the_command_has_no_secret_option_and_binds_loopback() -> None:
    result = CliRunner().invoke(cli, ["webhooks", "serve", "--help"])
    assert result.exit_code == 0
    assert "--secret" not in result.output
    assert "127.0.0.1" in result.output
    assert "WEBHOOK_SECRET" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--route", "runway"], "runway sends no webhooks"),
        (["--route", "nobody"], "unknown provider 'nobody'"),
        (["--secret", "x"], "No such option"),
    ],
)
def test_mistakes_are_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["webhooks", "serve", "--port", "0", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["webhooks", "serve", "--port", str(port), "--route", "fal"]
        )
    assert result.exit_code == 1
    assert "cannot serve on 127.0.0.1" in result.output


def test_signed_secrets_are_read_from_the_environment_only(served: Served) -> None:
    # The server got its secrets from its environment (nothing on its command line).
    for name in SIGNED:
        assert f"{name.upper()}_WEBHOOK_SECRET" in served.log.read_text()
