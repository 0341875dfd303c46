"""Downloads save what the server sent, no more than allowed, and survive a full disk
(issue 11, items 7 and 11).

vidgen asks for ``Accept-Encoding: identity`` and streams the raw body, so sizes and
``Range`` offsets are wire bytes; a body that still arrives compressed is refused; every
httpx error is a vidgen error; a part file that cannot be resumed never blocks a later
download; a full disk is a `StorageError` that keeps the part file for the next try.
"""

from __future__ import annotations

import errno
import gzip
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import vidgen
from vidgen._files import AtomicFile, part_path
from vidgen.testing import FakeClock, FakeServer, Reply, fail

URL = "https://cdn.example.com/v.mp4"
VIDEO = bytes(range(256)) * 40  # 10240 bytes that no codec mistakes for text


class Wire(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body streamed as it would come off a socket: not read ahead, not decoded."""

    def __init__(self, *chunks: bytes, cut: bool = False) -> None:
        self.chunks = chunks
        self.cut = cut

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.cut:
            raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.cut:
            raise httpx.ReadError("connection reset by peer")


def wire(
    *chunks: bytes, status: int = 200, headers: dict[str, str] | None = None, cut: bool = False
) -> Reply:
    def build(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, headers=headers or {}, stream=Wire(*chunks, cut=cut), request=request
        )

    return build


def ranged(data: bytes, chunk: int = 1024) -> Reply:
    """A storage host that honours ``Range: bytes=N-``, streaming in ``chunk``-byte pieces."""

    def build(request: httpx.Request) -> httpx.Response:
        start = 0
        header = request.headers.get("range")
        if header:
            start = int(header.removeprefix("bytes=").rstrip("-"))
            if start >= len(data):
                return httpx.Response(416, request=request)
        body = data[start:]
        pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)]
        headers = {"content-length": str(len(body))}
        if header:
            headers["content-range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        return httpx.Response(
            206 if header else 200, headers=headers, stream=Wire(*pieces), request=request
        )

    return build


def finished() -> vidgen.Job:
    return vidgen.Job(
        id="task_1",
        provider="aivideoapi",
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=(vidgen.Output(url=URL),),
    )


def client_on(server: FakeServer, **options: Any) -> vidgen.Client:
    clock = FakeClock()
    return vidgen.Client(
        provider="aivideoapi",
        api_key="sk-test",
        ledger=False,
        clock=clock,
        sleep=clock.sleep,
        http_client=server.client(),
        **options,
    )


def async_client_on(server: FakeServer, **options: Any) -> vidgen.AsyncClient:
    clock = FakeClock()
    return vidgen.AsyncClient(
        provider="aivideoapi",
        api_key="sk-test",
        ledger=False,
        clock=clock,
        sleep=clock.asleep,
        http_client=server.async_client(),
        **options,
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- the bytes on the wire ----------------------------------------------------------------------


def test_a_download_asks_for_identity_and_saves_the_wire_bytes(out: Path) -> None:
    server = FakeServer().route("GET", "/v.mp4", ranged(VIDEO))
    path = client_on(server).download(finished(), out / "v.mp4")
    assert path.read_bytes() == VIDEO
    assert server.requests[0].headers["accept-encoding"] == "identity"


def test_a_gzip_bomb_is_refused_not_inflated(out: Path) -> None:
    bomb = gzip.compress(b"\0" * (4 * 1024 * 1024))  # a few kilobytes on the wire
    server = FakeServer().route(
        "GET",
        "/v.mp4",
        wire(bomb, headers={"content-encoding": "gzip", "content-length": str(len(bomb))}),
    )
    with pytest.raises(vidgen.ProtocolError, match=r"compressed \(gzip\)"):
        client_on(server).download(finished(), out / "v.mp4")
    assert not (out / "v.mp4").exists()
    assert leftovers(out) == []
    assert len(server.requests) == 1  # a refusal is not retried


def test_a_brotli_body_is_refused_not_saved_encoded(out: Path) -> None:
    server = FakeServer().route(
        "GET", "/v.mp4", wire(b"\x1b\x03\x00brotli-bytes", headers={"content-encoding": "br"})
    )
    with pytest.raises(vidgen.ProtocolError, match=r"\(br\)"):
        client_on(server).download(finished(), out / "v.mp4")
    assert not (out / "v.mp4").exists()


def test_identity_content_encoding_is_plain_bytes(out: Path) -> None:
    server = FakeServer().route(
        "GET", "/v.mp4", wire(VIDEO, headers={"content-encoding": "identity"})
    )
    assert client_on(server).download(finished(), out / "v.mp4").read_bytes() == VIDEO


def gzip_host(data: bytes) -> Reply:
    """A host that serves ``data`` gzip-encoded whatever it is asked, applies ``Range`` to
    the encoded bytes (as RFC 9110 says), and loses the first connection half-way."""
    packed = gzip.compress(data)

    def build(request: httpx.Request) -> httpx.Response:
        header = request.headers.get("range")
        if header is None:
            return wire(
                packed[: len(packed) // 2],
                headers={"content-encoding": "gzip", "content-length": str(len(packed))},
                cut=True,
            )(request)
        start = int(header.removeprefix("bytes=").rstrip("-"))
        if start >= len(packed):
            return httpx.Response(416, request=request)
        return wire(
            packed[start:],
            status=206,
            headers={
                "content-encoding": "gzip",
                "content-range": f"bytes {start}-{len(packed) - 1}/{len(packed)}",
            },
        )(request)

    return build


def test_a_cut_gzip_download_never_leaves_a_part_that_breaks_the_next_one(out: Path) -> None:
    server = FakeServer().route("GET", "/v.mp4", gzip_host(VIDEO))
    client = client_on(server)
    for _ in range(2):
        with pytest.raises(vidgen.ProtocolError, match="compressed"):
            client.download(finished(), out / "v.mp4")
        assert leftovers(out) == []
    # The host now serves the file plainly: the next download is exact.
    server.route("GET", "/v.mp4", ranged(VIDEO))
    assert client.download(finished(), out / "v.mp4").read_bytes() == VIDEO
    assert leftovers(out) == []


# -- sizes --------------------------------------------------------------------------------------


def test_a_body_longer_than_announced_is_discarded(out: Path) -> None:
    server = FakeServer().route(
        "GET", "/v.mp4", wire(VIDEO, VIDEO, headers={"content-length": str(len(VIDEO))})
    )
    with pytest.raises(vidgen.TransportError, match="more than"):
        client_on(server).download(finished(), out / "v.mp4")
    assert not (out / "v.mp4").exists()
    assert leftovers(out) == []


def test_an_announced_size_over_the_limit_is_refused_before_streaming(out: Path) -> None:
    server = FakeServer().route("GET", "/v.mp4", ranged(VIDEO))
    client = client_on(server, max_download_bytes=1000)
    with pytest.raises(vidgen.ProtocolError, match="max_download_bytes"):
        client.download(finished(), out / "v.mp4")
    assert not (out / "v.mp4").exists()
    assert leftovers(out) == []
    assert len(server.requests) == 1


def test_an_unannounced_body_over_the_limit_is_stopped(out: Path) -> None:
    endless = [VIDEO] * 50  # no Content-Length: only the limit stops it
    server = FakeServer().route("GET", "/v.mp4", wire(*endless))
    client = client_on(server, max_download_bytes=3 * len(VIDEO))
    with pytest.raises(vidgen.ProtocolError, match="larger than max_download_bytes"):
        client.download(finished(), out / "v.mp4")
    assert not (out / "v.mp4").exists()
    assert leftovers(out) == []


def test_the_default_limit_is_twenty_gib() -> None:
    client = vidgen.Client(provider="aivideoapi", ledger=False)
    assert client._envs[0].max_download_bytes == 20 * 1024**3


@pytest.mark.parametrize("value", [0, -5, 1.5, "big", True])
def test_max_download_bytes_must_be_a_positive_whole_number(value: Any) -> None:
    with pytest.raises(vidgen.ConfigError, match="max_download_bytes"):
        vidgen.Client(provider="aivideoapi", ledger=False, max_download_bytes=value)


# -- part files ---------------------------------------------------------------------------------


def test_a_host_whose_ranges_never_fit_fails_within_the_retry_budget(out: Path) -> None:
    target = out / "v.mp4"
    bad_range = wire(
        VIDEO[:100],
        status=206,
        headers={"content-range": f"bytes 0-99/{len(VIDEO)}", "content-length": "100"},
    )
    server = FakeServer().on("GET", URL, *[bad_range] * 5)
    with pytest.raises(vidgen.ProtocolError, match="failed 5 times"):
        client_on(server).download(finished(), target)
    assert len(server.requests) == 5
    assert leftovers(out) == []


def test_a_stale_part_larger_than_the_limit_is_dropped(out: Path) -> None:
    target = out / "v.mp4"
    server = FakeServer().route("GET", "/v.mp4", ranged(VIDEO))
    client = client_on(server, max_download_bytes=2 * len(VIDEO))
    # The part file of an earlier, larger download under the same name.
    part_path(target, "aivideoapi/task_1/0/video").write_bytes(b"x" * (3 * len(VIDEO)))
    assert client.download(finished(), target).read_bytes() == VIDEO
    assert "range" not in server.requests[-1].headers
    assert leftovers(out) == []


def test_a_part_past_the_end_is_dropped_and_the_download_starts_over(out: Path) -> None:
    target = out / "v.mp4"
    part_path(target, "aivideoapi/task_1/0/video").write_bytes(b"y" * (2 * len(VIDEO)))
    server = FakeServer().route("GET", "/v.mp4", ranged(VIDEO))
    assert client_on(server).download(finished(), target).read_bytes() == VIDEO
    assert [r.headers.get("range") for r in server.requests] == [f"bytes={2 * len(VIDEO)}-", None]


# -- every httpx error is a vidgen error --------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [httpx.DecodingError, httpx.RemoteProtocolError, httpx.ReadTimeout, httpx.ReadError],
)
def test_every_httpx_error_on_a_download_is_a_vidgen_error(
    error: type[httpx.TransportError], out: Path
) -> None:
    server = FakeServer().route("GET", "/v.mp4", fail(error, "simulated"))
    with pytest.raises(vidgen.VidgenError):
        client_on(server).download(finished(), out / "v.mp4")
    assert not (out / "v.mp4").exists()


def test_an_undecodable_status_body_is_a_protocol_error() -> None:
    server = FakeServer().route(
        "GET",
        "/v1/tasks/task_1",
        wire(b"\x1f\x8b this is not gzip", headers={"content-encoding": "gzip"}),
    )
    with pytest.raises(vidgen.ProtocolError, match="could not be decoded"):
        client_on(server).get("task_1")


def test_an_undecodable_submit_answer_is_recorded_as_unknown(tmp_path: Path) -> None:
    server = FakeServer().route(
        "POST",
        "/v1/videos/generations",
        wire(b"\x1f\x8b this is not gzip", headers={"content-encoding": "gzip"}),
    )
    clock = FakeClock()
    client = vidgen.Client(
        provider="aivideoapi",
        api_key="sk-test",
        ledger=tmp_path / "ledger.db",
        clock=clock,
        sleep=clock.sleep,
        http_client=server.client(),
    )
    with pytest.raises(vidgen.ProtocolError):
        client.submit(vidgen.VideoRequest(prompt="a paper boat", duration=8, aspect="16:9"))
    assert client.ledger is not None
    (entry,) = client.ledger.entries()
    # A job may exist: `vidgen resume` looks for it.
    assert entry.submit_state is vidgen.SubmitState.OUTCOME_UNKNOWN
    assert server.count("POST") == 1


# -- a full disk --------------------------------------------------------------------------------


class FullDisk:
    """A file whose writes fail the way a full disk's do; everything else is the file's."""

    def __init__(self, file: Any) -> None:
        self.file = file

    def write(self, chunk: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)


def fill_disk_after(monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
    """Make AtomicFile's writes fail with ENOSPC once ``allowed`` bytes are written."""
    original = AtomicFile.write

    def write(self: AtomicFile, chunk: bytes) -> None:
        if self.written + len(chunk) > allowed and not isinstance(self._file, FullDisk):
            self._file = FullDisk(self._file)
        original(self, chunk)

    monkeypatch.setattr(AtomicFile, "write", write)


def test_a_full_disk_is_a_clear_error_and_the_part_resumes(
    monkeypatch: pytest.MonkeyPatch, out: Path
) -> None:
    target = out / "v.mp4"
    server = FakeServer().route("GET", "/v.mp4", ranged(VIDEO))
    client = client_on(server)
    with monkeypatch.context() as patch:
        fill_disk_after(patch, 4096)
        with pytest.raises(vidgen.StorageError) as caught:
            client.download(finished(), target)
    message = str(caught.value)
    assert "disk is full" in message
    assert str(out) in message  # names the folder to free
    assert "free some space" in message
    assert caught.value.user_error
    assert str(caught.value.path).endswith(".part")
    assert not target.exists()
    assert len(server.requests) == 1  # a full disk is not retried
    (part,) = leftovers(out)
    assert (out / part).read_bytes() == VIDEO[:4096]
    # Space is freed: the same call resumes where the disk filled up.
    assert client.download(finished(), target).read_bytes() == VIDEO
    assert server.requests[-1].headers["range"] == "bytes=4096-"
    assert leftovers(out) == []


@pytest.mark.anyio
async def test_async_a_full_disk_is_a_clear_error_and_the_part_resumes(
    monkeypatch: pytest.MonkeyPatch, out: Path
) -> None:
    target = out / "v.mp4"
    server = FakeServer().route("GET", "/v.mp4", ranged(VIDEO))
    client = async_client_on(server)
    with monkeypatch.context() as patch:
        fill_disk_after(patch, 2048)
        with pytest.raises(vidgen.StorageError, match="free some space"):
            await client.download(finished(), target)
    assert (out / leftovers(out)[0]).read_bytes() == VIDEO[:2048]
    assert (await client.download(finished(), target)).read_bytes() == VIDEO
    assert server.requests[-1].headers["range"] == "bytes=2048-"


def test_a_full_disk_at_the_final_flush_keeps_the_part(
    monkeypatch: pytest.MonkeyPatch, out: Path
) -> None:
    import os

    target = out / "v.mp4"
    server = FakeServer().route("GET", "/v.mp4", ranged(VIDEO))

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", no_space)
        with pytest.raises(vidgen.StorageError, match="disk is full"):
            client_on(server).download(finished(), target)
    assert not target.exists()
    assert len(leftovers(out)) == 1


def test_an_unwritable_folder_is_a_storage_error(
    monkeypatch: pytest.MonkeyPatch, out: Path
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    server = FakeServer().route("GET", "/v.mp4", ranged(VIDEO))
    client = client_on(server)
    with monkeypatch.context() as patch:
        patch.setattr("builtins.open", refuse)
        with pytest.raises(vidgen.StorageError, match="writable"):
            client.download(finished(), out / "v.mp4")
