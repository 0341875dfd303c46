"""The provider conformance kit: what every provider, built-in or plugin, must do.

Subclass `ProviderConformance` in a test module (its name must start with ``Test`` for
pytest to collect it), name the provider, and give a few sample payloads from the
vendor's documentation. The kit then checks, with no network and no key:

* the provider stays sans-IO: it opens no socket, never sleeps and never reads the clock;
* every documented status maps to its neutral status, and an unseen one to ``UNKNOWN``;
* documented error bodies map to the right `vidgen.ProviderError` subclass;
* hostile and broken responses (random JSON, deep nesting, NaN and infinity, huge numbers,
  HTML, every status 100-599, the samples with their fields replaced by junk) give neutral
  values or vidgen errors, never anything else (with ``hypothesis`` installed);
* the key never appears in a repr, an error or a built request's repr;
* a download from another origin carries no credentials;
* every catalog price cites a public source (an https URL) and a date;
* the strict fit policy refuses values the catalog does not document;
* where the vendor's cancel also deletes a finished job, a cancel of a finished job reads
  it and sends nothing else.

A minimal use::

    from vidgen import JobStatus
    from vidgen.testing import ProviderConformance

    class TestAcme(ProviderConformance):
        provider_name = "acme"
        statuses = {"pending": JobStatus.QUEUED, "done": JobStatus.SUCCEEDED}
        submit_body = {"id": "gen_1", "status": "pending"}
        succeeded_body = {"id": "gen_1", "status": "done", "videos": ["https://cdn.acme.example/1.mp4"]}

        def status_body(self, status):
            return {"id": "gen_1", "status": status}
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import socket
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar

import httpx

from .._catalog import ModelSpec
from .._exceptions import ProviderError, UnsupportedRequest, VidgenError
from .._models import Job, JobStatus, Output
from .._reference import Reference
from .._request import VideoRequest
from ..plugins import get_provider
from ..provider import JobPage, Provider
from ._clients import fake_client
from ._conformance import check_provider
from ._http import FakeServer, make_response, reply

__all__ = ["ProviderConformance"]

# What a sans-IO provider module never calls (checked in its source).
_FORBIDDEN_CALLS = {
    "now",
    "utcnow",
    "today",
    "time",
    "sleep",
    "monotonic",
    "perf_counter",
    "urlopen",
    "create_connection",
}
_FORBIDDEN_CONSTRUCTORS = {"Client", "AsyncClient", "HTTPConnection", "HTTPSConnection"}


class _IOForbidden(AssertionError):
    """Raised by the guards when a provider does I/O or reads the clock."""


@contextmanager
def _no_io(package: str) -> Iterator[None]:
    """Make sockets, sleeps and clock reads from ``package``'s code fail loudly."""

    def from_provider() -> bool:
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            name = str(frame.f_globals.get("__name__", ""))
            if name == package or name.startswith(package + "."):
                return True
            if name.startswith("vidgen.testing"):
                return False
            frame = frame.f_back
        return False

    def guard(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if from_provider():
                raise _IOForbidden(f"{package} called {name}: providers must stay sans-IO")
            return real(*args, **kwargs)

        return guarded

    clock: Any = time  # patched through Any: the stubs pin these functions' types
    sock: Any = socket
    saved = {name: getattr(clock, name) for name in ("sleep", "time", "monotonic")}
    saved_connect = sock.socket.connect
    saved_create = sock.create_connection
    for name, real in saved.items():
        setattr(clock, name, guard(f"time.{name}", real))
    sock.socket.connect = guard("socket.connect", saved_connect)
    sock.create_connection = guard("socket.create_connection", saved_create)
    try:
        yield
    finally:
        for name, real in saved.items():
            setattr(clock, name, real)
        sock.socket.connect = saved_connect
        sock.create_connection = saved_create


def _calls_in_source(package: str) -> list[str]:
    """Calls in the package's own source that read the clock, sleep or open connections."""
    module = sys.modules.get(package)
    if module is None or not getattr(module, "__file__", None):
        return []
    root = Path(module.__file__ or "").parent
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            if name in _FORBIDDEN_CALLS and owner in {
                "time",
                "datetime",
                "dt.datetime",
                "datetime.datetime",
                "date",
                "dt.date",
                "datetime.date",
                "socket",
                "urllib.request",
                "asyncio",
            }:
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(func)}()")
            if name in _FORBIDDEN_CONSTRUCTORS and owner in {"httpx", "http.client", "requests"}:
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(func)}()")
    return found


def _check_job(job: Job, where: str) -> None:
    """A parsed job must be a well-formed neutral value, whatever the provider was sent."""
    assert isinstance(job, Job), f"{where} returned {type(job).__name__}, not a Job"
    assert isinstance(job.id, str), f"{where}: job.id is {type(job.id).__name__}"
    assert isinstance(job.status, JobStatus), f"{where}: status {job.status!r}"
    if job.progress is not None:
        assert 0 <= job.progress <= 100, f"{where}: progress {job.progress}"
    for when in (job.created_at, job.completed_at, job.expires_at):
        assert when is None or when.tzinfo is not None, f"{where}: a naive timestamp"
    for output in job.outputs:
        assert isinstance(output, Output), f"{where}: an output is {type(output).__name__}"
        assert output.url is None or isinstance(output.url, str), f"{where}: output url"


class ProviderConformance:
    """Subclass as ``TestSomething`` to run the conformance checks on one provider.

    Class attributes to set:
        provider_name: the registered provider name.
        settings: settings to build it with (``{"base_url": ...}``), besides the key.
        api_key: a dummy key, long enough to be spotted if it leaks.
        statuses: every documented wire status and the neutral status it maps to.
        submit_body: a documented create response body (JSON), if any.
        succeeded_body: a documented finished-job body whose outputs are URLs on the
            vendor's storage host (for the credentials check), if any.
        error_bodies: ``(status code, JSON body, expected error class)`` triples from the
            vendor's error documentation.
        hostile_examples: how many generated hostile responses per parser.

    Override `status_body` to build a status response body for one wire status, and
    `make_provider` if the provider needs more than settings to build.
    """

    provider_name: ClassVar[str] = ""
    settings: ClassVar[Mapping[str, Any]] = {}
    api_key: ClassVar[str] = "sk-conformance-0123456789abcdef"
    statuses: ClassVar[Mapping[str, JobStatus]] = {}
    submit_body: ClassVar[Any] = None
    succeeded_body: ClassVar[Any] = None
    error_bodies: ClassVar[Sequence[tuple[int, Any, type[ProviderError]]]] = ()
    hostile_examples: ClassVar[int] = 60

    #: pytest collects subclasses (named ``Test...``), never this base class.
    __test__: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__test__ = True

    # -- what a subclass may override -----------------------------------------------------

    def make_provider(self) -> Provider:
        """The provider under test, with the dummy key."""
        return get_provider(self.provider_name, api_key=self.api_key, **dict(self.settings))

    def status_body(self, status: str) -> Any:
        """A status response body whose wire status is ``status`` (JSON-ready)."""
        raise NotImplementedError("override status_body() to check the status map")

    def status_response(self, body: Any, status_code: int = 200) -> httpx.Response:
        """A response carrying ``body``; override for APIs whose bodies are not JSON."""
        return make_response(status_code, json=body, url=self._base_url())

    def job(self) -> Job:
        """A job of this provider to build status, cancel and download requests for."""
        provider = self.make_provider()
        if self.submit_body is not None:
            try:
                return provider.parse_submit(self.status_response(self.submit_body))
            except VidgenError:
                pass
        return Job(id="job_conformance_1", provider=provider.name)

    # -- helpers ------------------------------------------------------------------------

    def _base_url(self) -> str:
        try:
            base = self.make_provider().base_url
        except VidgenError:
            base = ""
        return f"{base}/conformance" if base else "https://api.example.invalid/conformance"

    def _package(self) -> str:
        return type(self.make_provider()).__module__.split(".")[0]

    def _samples(self) -> list[Any]:
        samples: list[Any] = []
        if self.submit_body is not None:
            samples.append(self.submit_body)
        if self.succeeded_body is not None:
            samples.append(self.succeeded_body)
        for status in self.statuses:
            try:
                samples.append(self.status_body(status))
            except NotImplementedError:
                break
        samples.extend(body for _, body, _ in self.error_bodies)
        return samples

    def _parsers(self, provider: Provider) -> list[tuple[str, Callable[[httpx.Response], Any]]]:
        job = self.job()
        return [
            ("parse_submit", provider.parse_submit),
            ("parse_status", provider.parse_status),
            ("parse_list", provider.parse_list),
            ("parse_error", provider.parse_error),
            ("parse_cancel", lambda r: provider.parse_cancel(r, job)),
            (
                "parse_download_error",
                lambda r: provider.parse_download_error(
                    r, job, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
                ),
            ),
            ("parse_callback", lambda r: provider.parse_callback(dict(r.headers), r.content)),
            ("poll_hint", provider.poll_hint),
        ]

    def _exercise(self, provider: Provider, response: httpx.Response) -> None:
        """Every parser on one response: neutral values or vidgen errors, nothing else."""
        for name, parse in self._parsers(provider):
            try:
                result = parse(response)
            except VidgenError:
                continue
            except Exception as exc:
                raise AssertionError(
                    f"{provider.name}.{name} raised {type(exc).__name__}: {exc} on HTTP "
                    f"{response.status_code} {response.content[:200]!r}"
                ) from exc
            if name in ("parse_submit", "parse_status", "parse_callback"):
                _check_job(result, name)
            elif name == "parse_list":
                assert isinstance(result, JobPage), f"parse_list returned {type(result).__name__}"
                for job in result.jobs:
                    _check_job(job, name)
            elif name in ("parse_error", "parse_download_error"):
                assert isinstance(result, ProviderError), (
                    f"{name} must return a ProviderError, not {type(result).__name__}"
                )
            elif name == "parse_cancel":
                if result is not None:
                    _check_job(result, name)
            elif name == "poll_hint" and result is not None:
                assert isinstance(result, (int, float)), f"poll_hint returned {result!r}"

    # -- the checks -------------------------------------------------------------------------

    def test_meets_the_basic_contract(self) -> None:
        """Name, catalog, fit, quote, build_submit, no key in repr (`check_provider`)."""
        assert check_provider(self.make_provider()) == []

    def test_stays_sans_io(self) -> None:
        """No socket, no sleep, no clock read, in the source or when building and parsing."""
        provider = self.make_provider()
        package = self._package()
        assert _calls_in_source(package) == []
        samples = [self.status_response(body) for body in self._samples()]
        samples.append(make_response(500, content=b"<html>error</html>", url=self._base_url()))
        with _no_io(package):
            for spec in provider.catalog.models:
                request = VideoRequest(
                    prompt="a calm sea at dawn", model=spec.id, reference=_frame(spec)
                )
                try:
                    fitted = provider.fit(
                        request, policy="nearest", allow_retired=True, today=dt.date(2026, 1, 1)
                    )
                    provider.quote(fitted)
                    provider.build_submit(fitted)
                except VidgenError:
                    pass
            job = self.job()
            for build in (provider.build_status, provider.build_cancel, provider.build_download):
                with suppress(VidgenError):
                    build(job)
            for response in samples:
                self._exercise(provider, response)

    def test_every_documented_status_maps(self) -> None:
        """Each wire status in `statuses` parses to its neutral status."""
        if not self.statuses:
            return
        provider = self.make_provider()
        for wire, neutral in self.statuses.items():
            job = provider.parse_status(self.status_response(self.status_body(wire)))
            assert job.status is neutral, f"status {wire!r} mapped to {job.status}, not {neutral}"

    def test_an_unseen_status_is_unknown(self) -> None:
        """A status the provider never documented maps to ``UNKNOWN``, not a crash."""
        if not self.statuses:
            return
        provider = self.make_provider()
        body = self.status_body("status_vidgen_has_never_seen")
        try:
            job = provider.parse_status(self.status_response(body))
        except VidgenError:
            return  # refusing the body outright is acceptable too
        assert job.status is JobStatus.UNKNOWN

    def test_documented_errors_map(self) -> None:
        """Each documented error body becomes its `ProviderError` subclass."""
        provider = self.make_provider()
        for status_code, body, expected in self.error_bodies:
            error = provider.parse_error(self.status_response(body, status_code))
            assert isinstance(error, expected), (
                f"HTTP {status_code} {body!r} became {type(error).__name__}, not {expected.__name__}"
            )
            assert error.provider == provider.name

    def test_known_hostile_responses_give_neutral_values_or_vidgen_errors(self) -> None:
        """Deep nesting, NaN and infinity, huge numbers, HTML, and every status 100-599."""
        provider = self.make_provider()
        bodies = [
            b"[" * 3000 + b"]" * 3000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b'{"id": "x", "status": NaN, "progress": Infinity, "created_at": -Infinity}',
            b'{"id": "x", "status": "completed", "progress": 1e999, "created_at": 1e300}',
            b"<html><body>502 Bad Gateway</body></html>",
            b"",
            b"\xff\xfe\x00garbage",
        ]
        for sample in self._samples():
            bodies.append(json.dumps(sample).replace('"', "'").encode())  # not JSON any more
        for body in bodies:
            for code in (200, 201, 202, 400, 404, 429, 500, 503):
                response = httpx.Response(
                    code,
                    content=body,
                    headers={"Retry-After": "nan", "retry-after-ms": "inf"},
                    request=httpx.Request("GET", self._base_url()),
                )
                self._exercise(provider, response)
        for code in range(100, 600):
            response = httpx.Response(
                code,
                content=b"<html>oops</html>",
                headers={"Retry-After": "1e309"},
                request=httpx.Request("GET", self._base_url()),
            )
            self._exercise(provider, response)

    def test_hostile_responses_give_neutral_values_or_vidgen_errors(self) -> None:
        """Random, broken and booby-trapped responses never escape as other exceptions."""
        try:
            from hypothesis import HealthCheck, given, settings
            from hypothesis import strategies as st
        except ImportError:  # pragma: no cover - hypothesis is a test dependency
            import pytest

            pytest.skip("install hypothesis to run the hostile-response checks")
        provider = self.make_provider()
        samples = self._samples() or [{"id": "x", "status": "queued"}]
        junk: Any = st.sampled_from(
            [
                None,
                "",
                "\x00",
                "../../etc/passwd",
                -1,
                10**40,
                1e308,
                math.nan,
                math.inf,
                -math.inf,
                [],
                {},
                True,
                "nan",
                "inf",
                "2026-13-45",
                32503680000000,
                "<b>x</b>",
            ]
        )
        scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
        values = st.recursive(
            scalars | junk,
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=12,
        )

        def mutate(body: Any, data: Any) -> Any:
            if isinstance(body, dict):
                return {
                    key: (data.draw(values) if data.draw(st.booleans()) else mutate(value, data))
                    for key, value in body.items()
                }
            if isinstance(body, list):
                return [mutate(item, data) for item in body]
            return data.draw(junk) if data.draw(st.booleans()) else body

        hint = st.sampled_from(["nan", "inf", "-1", "1e309", "soon", "5", "0", ""])

        @settings(
            max_examples=self.hostile_examples,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(
            data=st.data(),
            status_code=st.integers(100, 599),
            kind=st.sampled_from(["mutated", "random", "nested", "html", "bytes"]),
            retry_after=hint,
        )
        def check(data: Any, status_code: int, kind: str, retry_after: str) -> None:
            headers = {
                "Retry-After": retry_after,
                "retry-after-ms": retry_after,
                "openai-poll-after-ms": retry_after,
                "content-type": "application/json",
            }
            if kind == "mutated":
                content = json.dumps(mutate(data.draw(st.sampled_from(samples)), data)).encode()
            elif kind == "random":
                content = json.dumps(data.draw(values)).encode()
            elif kind == "nested":
                depth = data.draw(st.integers(500, 3000))
                content = ("[" * depth + "]" * depth).encode()
            elif kind == "html":
                content = b"<html><body>502 Bad Gateway</body></html>"
            else:
                content = data.draw(st.binary(max_size=64))
            response = httpx.Response(
                status_code,
                content=content,
                headers=headers,
                request=httpx.Request("GET", self._base_url()),
            )
            self._exercise(provider, response)

        check()

    def test_the_key_never_shows(self) -> None:
        """Not in the provider's repr, in built requests' reprs, or in error messages."""
        provider = self.make_provider()
        key = self.api_key
        assert key not in repr(provider)
        job = self.job()
        for build in (provider.build_status, provider.build_download):
            try:
                request = build(job)
            except VidgenError:
                continue
            assert key not in repr(request)
        for response in [self.status_response(body, 400) for body in self._samples()[:5]]:
            error = provider.parse_error(response)
            assert key not in str(error)
            assert key not in repr(error)

    def test_downloads_from_another_origin_carry_no_credentials(self, tmp_path: Path) -> None:
        """The core strips credentials for a storage host; the provider must not re-add them."""
        if self.succeeded_body is None:
            return
        provider = self.make_provider()
        done = provider.parse_status(self.status_response(self.succeeded_body))
        assert done.status is JobStatus.SUCCEEDED, "succeeded_body must parse as succeeded"
        api_host = httpx.URL(provider.base_url).host if provider.base_url else None
        server = FakeServer()
        server.otherwise(reply(content=b"video bytes"))
        client = fake_client(server, provider=provider)
        try:
            client.download(done, tmp_path / "out.mp4")
        except UnsupportedRequest:
            return  # nothing to download from this body
        elsewhere = [r for r in server.requests if r.url.host != api_host]
        secret_headers = {h.lower() for h in provider.secret_headers}
        for request in elsewhere:
            assert not secret_headers & {h.lower() for h in request.headers}, request.headers
            assert self.api_key not in str(request.url)
            assert all(self.api_key not in value for value in request.headers.values())

    def test_a_cancel_leaves_a_finished_job_alone(self) -> None:
        """Where the vendor's cancel also deletes (`Provider.cancel_deletes_finished`), a
        cancel of a finished job reads it and sends nothing else: the video stays."""
        provider = self.make_provider()
        if not provider.cancel_deletes_finished or self.succeeded_body is None:
            return
        done = provider.parse_status(self.status_response(self.succeeded_body))
        answer = self.status_response(self.succeeded_body)

        def status_only(request: httpx.Request) -> httpx.Response:
            if request.method != "GET":
                raise AssertionError(f"a cancel of a finished job sent {request.method}")
            return httpx.Response(
                answer.status_code, content=answer.content, headers=answer.headers
            )

        server = FakeServer()
        server.otherwise(status_only)
        client = fake_client(server, provider=provider)
        for known in (done, done.id):
            after = client.cancel(known)
            assert after.status is JobStatus.SUCCEEDED, after
        assert server.requests, "the job was not read before the cancel"
        assert {r.method for r in server.requests} == {"GET"}

    def test_prices_cite_a_public_source_and_a_date(self) -> None:
        """Every catalog price names an https source and the date it was read."""
        provider = self.make_provider()
        for spec in provider.catalog.models:
            for price in spec.prices:
                where = f"{provider.name}/{spec.id}"
                assert (price.source or "").startswith("https://"), (
                    f"{where}: price source {price.source!r} is not a public URL"
                )
                assert isinstance(price.as_of, dt.date), f"{where}: price without a date"
                for amount in (price.per_second, price.per_video):
                    assert amount is None or amount >= 0, f"{where}: a negative price"

    def test_strict_fit_refuses_undocumented_values(self) -> None:
        """A duration, aspect or tier the catalog does not list is refused under strict."""
        provider = self.make_provider()
        today = dt.date(2026, 1, 1)
        for spec in provider.catalog.models:
            durations = set(spec.durations)
            odd = next(
                d for d in range(max(durations) + 1, max(durations) + 100) if d not in durations
            )
            request = VideoRequest(
                prompt="a calm sea", model=spec.id, duration=odd, reference=_frame(spec)
            )
            refused = _refusal(provider, request, today)
            assert refused == "duration", f"{spec.id}: {odd} s not in its catalog: {refused}"
            aspects = {s.aspect for s in spec.sizes}
            unusual = next(a for a in ("21:9", "4:3", "3:4", "9:21", "5:4") if a not in aspects)
            request = VideoRequest(
                prompt="a calm sea", model=spec.id, aspect=unusual, reference=_frame(spec)
            )
            refused = _refusal(provider, request, today)
            assert refused == "aspect", f"{spec.id}: aspect {unusual} not offered: {refused}"


def _frame(spec: ModelSpec) -> Reference | None:
    """A first frame for a model that renders only from one (None for the others)."""
    if not spec.requires_reference:
        return None
    from ._images import png_bytes

    return Reference.from_bytes(png_bytes(1280, 720))


def _refusal(provider: Provider, request: VideoRequest, today: dt.date) -> str:
    """The parameter a strict fit refuses, or a description of what it did instead."""
    try:
        provider.fit(request, policy="strict", allow_retired=True, today=today)
    except UnsupportedRequest as exc:
        return exc.param
    return "accepted under strict"
