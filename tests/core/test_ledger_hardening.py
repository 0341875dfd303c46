"""Issue 11: the ledger never loses a paid job, never mixes two jobs up, and fails clearly.

Claims on jobs being finished (A1), jobs keyed by endpoint (A2), a billed job's id kept
whatever goes wrong (A3), providers rebuilt for resume from kept settings (A6), and every
storage failure one clear `LedgerError` (B10).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import vidgen
from vidgen._events import JobSeen
from vidgen._ledger.ledger import DEFAULT_LEASE
from vidgen._ledger.schema import VERSION
from vidgen._locks import PartLock
from vidgen._recovery import ResumeState, client_for, resume_entry
from vidgen.testing import FakeClock, FakeServer, fake_client, reply

MODEL = {
    "id": "m1",
    "durations": [4, 8],
    "sizes": ["1280x720"],
    "price_per_second": "0.10",
    "price_source": "https://relay.example/pricing",
    "price_as_of": "2026-11-01",
}
REQUEST = vidgen.VideoRequest(prompt="a heron", duration=8)
KEY = "sk-secret-key-0123456789"


def video(status: str, video_id: str = "video_1", **extra: Any) -> dict[str, Any]:
    return {"id": video_id, "object": "video", "status": status, "model": "m1", **extra}


def relay(server: FakeServer, base: str, ledger: vidgen.Ledger, clock: FakeClock) -> vidgen.Client:
    return fake_client(
        server,
        provider="openai-compatible",
        base_url=base,
        api_key=KEY,
        models=[MODEL],
        ledger=ledger,
        clock=clock,
    )


def serve_video(server: FakeServer, base_path: str = "/v1", video_id: str = "video_1") -> None:
    server.route("POST", f"{base_path}/videos", reply(json=video("queued", video_id)))
    server.route(
        "GET",
        f"{base_path}/videos/{video_id}",
        reply(json=video("completed", video_id, progress=100)),
    )
    server.route("GET", f"{base_path}/videos/{video_id}/content", reply(content=b"the video"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock.at("2026-11-30T10:00:00")


@pytest.fixture
def ledger(tmp_path: Path, clock: FakeClock) -> vidgen.Ledger:
    return vidgen.Ledger(tmp_path / "ledger.sqlite3", clock=clock)


# -- A1: claims ---------------------------------------------------------------------------------


def submitted(ledger: vidgen.Ledger, clock: FakeClock) -> vidgen.Job:
    server = FakeServer()
    serve_video(server)
    return relay(server, "https://relay.example/v1", ledger, clock).submit(REQUEST)


def test_a_second_process_cannot_claim_a_job_being_finished(
    ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path
) -> None:
    job = submitted(ledger, clock)
    other = vidgen.Ledger(ledger.path, clock=clock)  # another process's ledger object
    with ledger.claimed(job, "https://relay.example/v1"):
        with pytest.raises(vidgen.JobInUse, match=f"pid {os.getpid()}") as caught:
            other.claim(job, "https://relay.example/v1")
        assert caught.value.job_id == job.id
    # Released: the other one may claim it now.
    assert other.claim(job, "https://relay.example/v1") is not None


def test_an_expired_claim_is_taken_over(ledger: vidgen.Ledger, clock: FakeClock) -> None:
    job = submitted(ledger, clock)
    other = vidgen.Ledger(ledger.path, clock=clock)
    assert ledger.claim(job, "https://relay.example/v1") is not None
    clock.advance(DEFAULT_LEASE.total_seconds() + 1)
    assert other.claim(job, "https://relay.example/v1") is not None


def test_a_claim_of_a_dead_process_on_this_machine_is_taken_over(
    ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    job = submitted(ledger, clock)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    ghost = vidgen.Ledger(ledger.path, clock=clock)
    ghost.owner = f"{ghost.owner.split(':')[0]}:{dead.stdout.strip()}:dead"
    assert ghost.claim(job, "https://relay.example/v1") is not None
    # The lease is still running, but its process is gone.
    assert ledger.claim(job, "https://relay.example/v1") is not None


def test_waiting_renews_the_claim(ledger: vidgen.Ledger, clock: FakeClock) -> None:
    job = submitted(ledger, clock)
    claim = ledger.claim(job, "https://relay.example/v1")
    assert claim is not None
    clock.advance(DEFAULT_LEASE.total_seconds() - 10)
    seen = vidgen.Job(id=job.id, provider=job.provider, status=vidgen.JobStatus.RUNNING)
    ledger.record(JobSeen(at=clock.utcnow(), job=seen, endpoint="https://relay.example/v1"))
    clock.advance(60)  # past the first lease, within the renewed one
    with pytest.raises(vidgen.JobInUse):
        vidgen.Ledger(ledger.path, clock=clock).claim(job, "https://relay.example/v1")


def test_a_part_file_lock_excludes_a_second_holder(tmp_path: Path) -> None:
    part = tmp_path / ".out.mp4.abc.part"
    first = PartLock.acquire(part)
    assert first is not None
    assert PartLock.acquire(part) is None  # another open file: another process, to flock
    first.release()
    second = PartLock.acquire(part)
    assert second is not None
    second.release()
    assert not part.with_name(part.name + ".lock").exists()


def _hold_lock(part: str, ready: Any, done: Any) -> None:
    lock = PartLock.acquire(Path(part))
    ready.set()
    done.wait(10)
    if lock is not None:
        lock.release()


def test_a_part_file_lock_held_by_another_process(tmp_path: Path) -> None:
    part = tmp_path / ".out.mp4.abc.part"
    ready, done = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(part), ready, done))
    holder.start()
    try:
        assert ready.wait(10)
        assert PartLock.acquire(part) is None
    finally:
        done.set()
        holder.join(10)
    lock = PartLock.acquire(part)  # the holder is gone
    assert lock is not None
    lock.release()


def test_a_download_in_progress_elsewhere_is_refused_before_any_byte(
    ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path
) -> None:
    from vidgen._files import part_path

    server = FakeServer()
    serve_video(server)
    client = relay(server, "https://relay.example/v1", ledger, clock)
    job = client.wait(client.submit(REQUEST))
    target = tmp_path / "out.mp4"
    held = PartLock.acquire(part_path(target, f"openai-compatible/{job.id}/0/video"))
    assert held is not None
    try:
        with pytest.raises(vidgen.JobInUse, match="another process"):
            client.download(job, target)
    finally:
        held.release()
    assert server.count("GET", "/v1/videos/video_1/content") == 0
    assert not target.exists()
    assert client.download(job, target).read_bytes() == b"the video"


def test_resume_skips_a_job_another_process_is_finishing(
    ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path
) -> None:
    job = submitted(ledger, clock)
    other = vidgen.Ledger(ledger.path, clock=clock)
    assert other.claim(job, "https://relay.example/v1") is not None
    (entry,) = ledger.unfinished()
    server = FakeServer()
    serve_video(server)
    outcome = resume_entry(
        entry,
        ledger=ledger,
        client=relay(server, "https://relay.example/v1", ledger, clock),
        output_dir=tmp_path,
    )
    assert outcome.state is ResumeState.SKIPPED
    assert "another vidgen process" in outcome.message
    assert server.requests == []


# -- A2: jobs are keyed by endpoint ---------------------------------------------------------------


def test_two_endpoints_handing_out_the_same_id_do_not_collide(
    ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path
) -> None:
    first_server, second_server = FakeServer(), FakeServer()
    serve_video(first_server)
    serve_video(second_server)
    first = relay(first_server, "https://one.example/v1", ledger, clock)
    second = relay(second_server, "https://two.example/v1", ledger, clock)
    first.generate(REQUEST, tmp_path / "one.mp4")
    job = second.submit(REQUEST)  # the same id, "video_1", at another endpoint
    assert job.id == "video_1"
    entries = {e.endpoint: e for e in ledger.entries()}
    done, fresh = entries["https://one.example/v1"], entries["https://two.example/v1"]
    assert done.status is vidgen.JobStatus.SUCCEEDED
    assert done.downloaded
    assert done.finished
    assert fresh.submit_state is vidgen.SubmitState.ACCEPTED
    assert fresh.status is vidgen.JobStatus.QUEUED
    assert [e.ledger_id for e in ledger.unfinished()] == [fresh.ledger_id]


# -- A3: whatever breaks after the submit was sent, the outcome is unknown -----------------------


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(reply(json=video("queued", created_at=10**20)), id="timestamp out of range"),
        pytest.param(reply(content="[" * 5000 + "]" * 5000), id="deeply nested"),
        pytest.param(reply(200, content=b"\xff\xfe not json"), id="not json"),
    ],
)
def test_a_broken_answer_to_a_submit_leaves_the_outcome_unknown(
    ledger: vidgen.Ledger, clock: FakeClock, answer: Any
) -> None:
    server = FakeServer().route("POST", "/v1/videos", answer)
    client = relay(server, "https://relay.example/v1", ledger, clock)
    with pytest.raises(vidgen.ProtocolError):
        client.submit(REQUEST)
    (entry,) = ledger.entries()
    assert entry.submit_state is vidgen.SubmitState.OUTCOME_UNKNOWN
    assert server.count("POST") == 1


def test_a_parser_that_raises_anything_leaves_the_outcome_unknown(
    ledger: vidgen.Ledger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = FakeServer().route("POST", "/v1/videos", reply(json=video("queued")))
    client = relay(server, "https://relay.example/v1", ledger, clock)

    def boom(response: httpx.Response) -> vidgen.Job:
        raise IndexError("a plugin's bug")

    monkeypatch.setattr(client.provider, "parse_submit", boom)
    with pytest.raises(vidgen.ProtocolError, match="may exist"):
        client.submit(REQUEST)
    (entry,) = ledger.entries()
    assert entry.submit_state is vidgen.SubmitState.OUTCOME_UNKNOWN


# -- A6: resume rebuilds a provider given keyword settings ----------------------------------------


def test_resume_rebuilds_a_provider_from_kept_settings(
    ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELAY_KEY", KEY)
    server = FakeServer()
    serve_video(server)
    submitter = fake_client(
        server,
        provider="openai-compatible",
        base_url="https://relay.example/v1",
        api_key=None,
        models=[MODEL],
        ledger=ledger,
        clock=clock,
        settings={"api_key_env": "RELAY_KEY"},
    )
    submitter.submit(REQUEST, output=tmp_path / "heron.mp4")
    (entry,) = ledger.unfinished()
    assert entry.settings["base_url"] == "https://relay.example/v1"
    assert entry.settings["models"][0]["id"] == "m1"
    rebuilt = client_for(
        entry, ledger=ledger, clock=clock, sleep=clock.sleep, http_client=server.client()
    )
    assert rebuilt.provider.base_url == "https://relay.example/v1"
    outcome = resume_entry(entry, ledger=ledger, client=rebuilt, output_dir=tmp_path)
    assert outcome.state is ResumeState.DOWNLOADED
    assert (tmp_path / "heron.mp4").read_bytes() == b"the video"
    # The key itself is nowhere in the ledger's bytes.
    ledger.close()
    for name in os.listdir(tmp_path):
        if name.startswith("ledger.sqlite3"):
            assert KEY.encode() not in (tmp_path / name).read_bytes()


# -- B10: storage failures are one clear line -------------------------------------------------


def test_a_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    with pytest.raises(vidgen.LedgerError, match="VIDGEN_HOME") as caught:
        vidgen.Ledger(home / "ledger.sqlite3")
    assert str(home) in str(caught.value)


def test_a_ledger_path_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "ledger.sqlite3").mkdir()
    with pytest.raises(vidgen.LedgerError, match="is a folder"):
        vidgen.Ledger(tmp_path / "ledger.sqlite3")


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\x07" * 5000],
    ids=["garbage", "bad header"],
)
def test_a_garbage_ledger_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(content)
    with pytest.raises(vidgen.LedgerError, match="damaged") as caught:
        vidgen.Ledger(path)
    assert f"mv {path}" in str(caught.value)


def test_a_partly_corrupt_ledger(ledger: vidgen.Ledger, clock: FakeClock) -> None:
    submitted(ledger, clock)
    ledger.close()
    data = bytearray(ledger.path.read_bytes())
    # Scribble over the second page onwards (the table pages), keep the header.
    for index in range(4096, len(data)):
        data[index] = 0x5A
    ledger.path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(ledger.path) + suffix).unlink(missing_ok=True)

    def reopen() -> None:
        vidgen.Ledger(ledger.path).entries()

    with pytest.raises(vidgen.LedgerError, match=r"damaged|unreadable"):
        reopen()


def test_an_old_ledger_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE jobs (ledger_id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL, profile TEXT, provider TEXT NOT NULL, model TEXT,
          request TEXT NOT NULL, submit_state TEXT NOT NULL, submit_error TEXT, job_id TEXT,
          status TEXT, progress INTEGER, quote TEXT, amount TEXT, currency TEXT,
          expires_at TEXT, job TEXT, callback_token TEXT, output_target TEXT, output_path TEXT,
          output_size INTEGER, output_sha256 TEXT, downloaded_at TEXT);
        CREATE UNIQUE INDEX jobs_by_provider_id ON jobs(provider, job_id) WHERE job_id IS NOT NULL;
        CREATE TABLE events (event_id INTEGER PRIMARY KEY AUTOINCREMENT,
          ledger_id INTEGER NOT NULL REFERENCES jobs(ledger_id), at TEXT NOT NULL,
          kind TEXT NOT NULL, detail TEXT);
        INSERT INTO jobs (created_at, updated_at, provider, model, request, submit_state, amount,
          currency, status) VALUES ('2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00',
          'openai', 'sora-2', '{}', 'unknown', '0.80', 'USD', NULL);
        INSERT INTO jobs (created_at, updated_at, provider, model, request, submit_state, amount,
          currency, status, job_id, output_path) VALUES ('2026-11-02T10:00:00+00:00',
          '2026-11-02T10:00:00+00:00', 'openai', 'sora-2', '{}', 'accepted', '1.20', 'USD',
          'succeeded', 'video_9', '/tmp/x.mp4');
        """
    )
    db.commit()
    db.close()
    ledger = vidgen.Ledger(path, clock=FakeClock.at("2026-11-02T12:00:00"))
    unknown, done = sorted(ledger.entries(), key=lambda e: e.ledger_id)
    assert unknown.submit_state is vidgen.SubmitState.OUTCOME_UNKNOWN
    assert [e.ledger_id for e in ledger.unfinished()] == [unknown.ledger_id]
    assert done.finished
    assert ledger.spend() == [
        ("2026-11-02", "openai", "USD", vidgen._ledger.ledger.Decimal("1.2"), 1)
    ]
    assert ledger.committed_today() == vidgen._ledger.ledger.Decimal("1.2")


def test_a_newer_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    vidgen.Ledger(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(VERSION + 5),))
    db.commit()
    db.close()
    with pytest.raises(vidgen.LedgerError, match="newer vidgen") as caught:
        vidgen.Ledger(path)
    assert "pip install -U vidgen" in str(caught.value)


def test_a_ledger_locked_too_long(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vidgen._ledger.sqlite as backend

    monkeypatch.setattr(backend, "_BUSY_SECONDS", 0.2)
    path = tmp_path / "ledger.sqlite3"
    vidgen.Ledger(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        ledger = vidgen.Ledger(path, clock=clock)
        server = FakeServer().route("POST", "/v1/videos", reply(json=video("queued")))
        client = relay(server, "https://relay.example/v1", ledger, clock)
        with pytest.raises(vidgen.LedgerError, match="locked by another process") as caught:
            client.submit(REQUEST)
        assert "nothing was sent" in str(caught.value)
        assert server.requests == []
        # Reading is not blocked by a writer.
        assert ledger.entries() == []
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_a_full_disk_when_recording_a_submit_sends_nothing(
    ledger: vidgen.Ledger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ledger._backend, "_connection", full)
    server = FakeServer().route("POST", "/v1/videos", reply(json=video("queued")))
    with pytest.raises(vidgen.LedgerError, match=r"disk .* is full"):
        relay(server, "https://relay.example/v1", ledger, clock).submit(REQUEST)
    assert server.requests == []


def _open_fresh(path: str) -> str:
    try:
        vidgen.Ledger(path).close()
    except Exception as exc:  # reported to the parent, which fails the test
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def test_several_processes_creating_a_fresh_ledger_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh" / "ledger.sqlite3")
    with multiprocessing.Pool(6) as pool:
        results = pool.map(_open_fresh, [path] * 12)
    assert results == ["ok"] * 12


def test_read_only_ledgers_take_no_write_lock(ledger: vidgen.Ledger, clock: FakeClock) -> None:
    submitted(ledger, clock)
    blocker = sqlite3.connect(ledger.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        reader = vidgen.Ledger(ledger.path, readonly=True)
        assert len(reader.entries()) == 1
        assert reader.spend() == []
        with pytest.raises(vidgen.LedgerError, match="read-only"):
            reader.mark_problem(1, "expired")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_a_missing_ledger_reads_as_empty_without_creating_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "ledger.sqlite3"
    reader = vidgen.Ledger(path, readonly=True)
    assert reader.entries() == []
    assert reader.unfinished() == []
    assert reader.spend() == []
    assert not path.exists()


def test_prune_keeps_spend_totals(ledger: vidgen.Ledger, clock: FakeClock, tmp_path: Path) -> None:
    server = FakeServer()
    serve_video(server)
    client = relay(server, "https://relay.example/v1", ledger, clock)
    client.generate(REQUEST, tmp_path / "a.mp4")
    before = ledger.spend()
    clock.advance(dt.timedelta(days=3).total_seconds())
    removed = ledger.prune(clock.today())
    assert removed == 1
    assert ledger.entries() == []
    assert ledger.spend() == before
