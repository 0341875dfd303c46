"""Provider-supplied ids are untrusted (issue 11, item 4).

An id goes into URL paths (with the key on the request), into default file names, and
into the ledger. It must stay one path segment, never name a file outside its folder,
and be refused outright when it holds control characters or nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import vidgen
from vidgen.cli import cli
from vidgen.provider import Provider, quote_segment
from vidgen.testing import FakeServer, fake_client, reply

API = "https://api.openai.com/v1"
SUCCEEDED = vidgen.JobStatus.SUCCEEDED

HOSTILE_IDS = [
    "../../x",
    "../../../etc/passwd",
    "/etc/passwd",
    "a/b",
    "..",
    ".",
    "a?b=c#d",
    "%2F..%2Fadmin",
    "x\\..\\y",
    "@evil.example",
]


def video(job_id: str, status: str = "completed") -> dict[str, Any]:
    """An OpenAI video object (WIRE.md) with the given id."""
    return {
        "id": job_id,
        "object": "video",
        "status": status,
        "model": "sora-2",
        "seconds": "8",
        "size": "1280x720",
        "created_at": 1_760_000_000,
    }


def providers() -> list[Provider]:
    return [
        vidgen.get_provider("openai", api_key="sk-test"),
        vidgen.get_provider("apiyi", api_key="sk-test"),
        vidgen.get_provider("aivideoapi", api_key="sk-test"),
        vidgen.get_provider("azure", api_key="k", endpoint="https://r.openai.azure.com"),
        vidgen.get_provider(
            "azure", api="videos", api_key="k", endpoint="https://r.openai.azure.com"
        ),
    ]


def builders(provider: Provider) -> list[Callable[[vidgen.Job], httpx.Request]]:
    """The build_* methods whose URL carries a job's id (or an output ref)."""
    found: list[Callable[[vidgen.Job], httpx.Request]] = [provider.build_status]
    if provider.name != "aivideoapi":  # its downloads go to the output URL, not an id
        found.append(provider.build_download)
        found.append(provider.build_delete)
    return found


def job_with(provider: Provider, job_id: str) -> vidgen.Job:
    """A finished job whose id, and whose output ref, is ``job_id``."""
    return vidgen.Job(
        id=job_id,
        provider=provider.name,
        status=SUCCEEDED,
        outputs=(vidgen.Output(ref=job_id),),
    )


def segments(request: httpx.Request) -> list[bytes]:
    return request.url.raw_path.split(b"?")[0].split(b"/")


def check_one_segment(provider: Provider, job_id: str) -> None:
    plain = job_with(provider, "plainid")
    hostile = job_with(provider, job_id)
    for build in builders(provider):
        expected = build(plain)
        got = build(hostile)
        assert got.url.host == expected.url.host
        assert got.url.params == expected.url.params, (job_id, str(got.url))
        want, have = segments(expected), segments(got)
        assert len(have) == len(want), (job_id, str(got.url))
        differing = [i for i, (a, b) in enumerate(zip(want, have, strict=True)) if a != b]
        assert len(differing) == 1, (job_id, str(got.url))
        assert httpx.URL(f"https://x/{have[differing[0]].decode()}").path[1:] == job_id


@pytest.mark.parametrize("job_id", HOSTILE_IDS)
def test_an_id_is_one_path_segment_in_every_built_in_provider(job_id: str) -> None:
    for provider in providers():
        check_one_segment(provider, job_id)


@settings(max_examples=60, deadline=None)
@given(
    job_id=st.text(
        st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40
    ).filter(str.strip)
)
def test_any_id_is_one_path_segment(job_id: str) -> None:
    for provider in providers():
        check_one_segment(provider, job_id)


def test_quote_segment_encodes_separators_and_dot_segments() -> None:
    assert quote_segment("video_123") == "video_123"
    assert quote_segment("a/b?c#d") == "a%2Fb%3Fc%23d"
    assert quote_segment("..") == "%2E%2E"
    assert quote_segment(".") == "%2E"
    assert quote_segment("%2F") == "%252F"


def test_the_key_stays_on_the_status_path_of_a_hostile_id() -> None:
    server = FakeServer()
    server.route("GET", "/v1/videos/../../admin", reply(json=video("../../admin")))
    client = fake_client(server, provider="openai", allow_retired=True)
    job = client.get("../../admin")
    assert job.id == "../../admin"
    (sent,) = server.requests
    assert sent.url.raw_path == b"/v1/videos/..%2F..%2Fadmin"
    assert sent.headers["authorization"].startswith("Bearer ")


# -- ids that cannot be ids -------------------------------------------------------------------

BAD_IDS = ["", "   ", "abc\x00def", "line\nbreak", "tab\there", "esc\x1b[31m", "del\x7f"]


@pytest.mark.parametrize("job_id", BAD_IDS)
def test_a_job_cannot_have_an_empty_or_control_character_id(job_id: str) -> None:
    with pytest.raises(ValueError, match="job id"):
        vidgen.Job(id=job_id, provider="openai")


@pytest.mark.parametrize("job_id", BAD_IDS)
def test_a_status_answer_with_a_bad_id_is_a_protocol_error(job_id: str) -> None:
    server = FakeServer().route("GET", "/v1/videos/video_1", reply(json=video(job_id)))
    client = fake_client(server, provider="openai", allow_retired=True)
    with pytest.raises(vidgen.ProtocolError) as caught:
        client.get("video_1")
    assert caught.value.provider == "openai"


@pytest.mark.parametrize("job_id", ["abc\x00def", "two\nlines", " "])
def test_an_aivideoapi_create_with_a_bad_task_id_is_a_protocol_error(job_id: str) -> None:
    server = FakeServer().route(
        "POST",
        "/v1/videos/generations",
        reply(json={"code": 200, "msg": "success", "data": {"taskId": job_id}}),
    )
    client = fake_client(server, provider="aivideoapi")
    with pytest.raises(vidgen.ProtocolError, match="may exist"):
        client.submit(vidgen.VideoRequest(prompt="a paper boat", duration=8, aspect="16:9"))


def test_an_aivideoapi_task_with_a_nul_id_is_a_protocol_error() -> None:
    provider = vidgen.get_provider("aivideoapi", api_key="sk-test")
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_callback({}, b'{"id": "task\\u0000x", "status": "pending"}')


# -- file names made from ids -----------------------------------------------------------------


@pytest.mark.parametrize("job_id", HOSTILE_IDS)
def test_default_file_names_stay_in_their_folder(tmp_path: Path, job_id: str) -> None:
    from vidgen._files import safe_file_name

    name = safe_file_name(f"{job_id}.mp4")
    assert "/" not in name
    assert "\\" not in name
    assert not name.startswith(".")
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert name.endswith(".mp4")


def test_a_plain_id_keeps_its_name_and_different_ids_never_share_one() -> None:
    from vidgen._files import safe_file_name

    assert safe_file_name("video_68d7512d.mp4") == "video_68d7512d.mp4"
    assert safe_file_name("a/b.mp4") != safe_file_name("a_b.mp4")
    assert len(safe_file_name("x" * 5000 + ".mp4")) <= 120
    assert safe_file_name("CON.mp4").lower() != "con.mp4"


def test_cli_download_of_a_hostile_id_saves_in_the_current_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    targets: list[Path] = []

    def download(self: vidgen.Client, job: object, path: Any, **_: Any) -> Path:
        targets.append(Path(path))
        return Path(path)

    monkeypatch.setattr(vidgen.Client, "download", download)
    result = CliRunner().invoke(
        cli, ["download", "../../escaped", "--provider", "openai"], prog_name="vidgen"
    )
    assert result.exit_code == 0, result.output
    (target,) = targets
    assert target.resolve().parent == work.resolve()


def test_resume_saves_a_hostile_id_inside_the_output_folder(tmp_path: Path) -> None:
    from vidgen._recovery import ResumeState, resume_entry

    server = FakeServer().route("POST", "/v1/videos", reply(json=video("../../escaped")))
    client = fake_client(server, provider="openai", allow_retired=True, ledger=tmp_path / "l.db")
    client.submit(vidgen.VideoRequest(prompt="a paper boat", duration=8, aspect="16:9"))
    assert client.ledger is not None
    (entry,) = client.ledger.entries()
    targets: list[Path] = []

    def download(job: vidgen.Job, path: Any, **_: Any) -> Path:
        targets.append(Path(path))
        return Path(path)

    client.download = download  # type: ignore[method-assign]
    out = tmp_path / "out"
    outcome = resume_entry(entry, ledger=client.ledger, client=client, output_dir=out)
    assert outcome.state is ResumeState.DOWNLOADED
    (target,) = targets
    assert target.resolve().parent == out.resolve()
