"""Fifty mistakes a new user makes, on the command line and in Python.

Each must end in one clear line that says what to do, with the right exit status (2 for a
user error; in Python a `vidgen.VidgenError` whose ``user_error`` is true), and nothing
may be sent to the provider or overwritten on disk. Everything runs in-process against a
`vidgen.testing.FakeServer` that fails the test on any request.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

import vidgen
from vidgen.cli import cli
from vidgen.testing import FakeClock, FakeServer, png_bytes

RELAY_TOML = """
[profiles.relay]
provider = "openai-compatible"
base_url = "https://relay.example.com/v1"
api_key_env = "MYRELAY_API_KEY"

[[profiles.relay.models]]
id = "veo-3.1-fast"
durations = [4, 8]
sizes = ["1280x720", "720x1280"]
reference = ["file", "url"]
price_per_second = "0.15"
price_source = "https://relay.example.com/pricing"
price_as_of = 2026-10-01
"""
KEPT = b"the user's own video, which must survive every mistake"
RELAY = "https://relay.example.com/v1"
MODEL = {"id": "veo-3.1-fast", "durations": [4, 8], "sizes": ["1280x720"]}


@attrs.frozen
class Cli:
    """A command line, the words its one error line must contain, and its exit status."""

    args: list[str]
    says: tuple[str, ...]
    code: int = 2
    stdin: str | None = None
    key: bool = True  # MYRELAY_API_KEY set
    files: dict[str, str] = attrs.field(factory=dict)  # extra files to write first


@attrs.frozen
class Py:
    """A Python call that must raise a user error whose message contains ``says``."""

    call: Callable[[Path, FakeServer], Any]
    says: tuple[str, ...]
    error: type[vidgen.VidgenError] = vidgen.VidgenError


TODAY = "2026-12-01"  # after OpenAI's Sora shutdown, as for a user today


def relay(server: FakeServer, **options: Any) -> vidgen.Client:
    clock = FakeClock.at(TODAY)
    return vidgen.Client(
        provider="openai-compatible",
        base_url=RELAY,
        api_key="sk-test",
        models=[MODEL],
        ledger=False,
        clock=clock,
        sleep=clock.sleep,
        http_client=server.client(),
        **options,
    )


REQUEST = vidgen.VideoRequest(prompt="a koi pond at dawn", duration=8)
GEN = ["generate", "a koi pond", "-o", "out.mp4", "-p", "relay", "-s", "8"]

CASES: dict[str, Cli | Py] = {
    # -- generate: where to send it ------------------------------------------------------------
    "no-output": Cli(
        ["generate", "a cat"], ("Missing option '--output'", "vidgen generate --help")
    ),
    "no-prompt": Cli(["generate"], ("Missing argument 'PROMPT'",)),
    "no-target": Cli(["generate", "a cat", "-o", "out.mp4"], ("--profile NAME", "--provider NAME")),
    "unknown-provider": Cli(
        ["generate", "a cat", "-o", "out.mp4", "--provider", "nosuch"],
        ("unknown provider 'nosuch'", "openai"),
    ),
    "unknown-profile": Cli(
        ["generate", "a cat", "-o", "out.mp4", "--profile", "nosuch"],
        ("no profile 'nosuch'", "profiles: relay"),
    ),
    "profile-and-provider": Cli(
        [*GEN, "--provider", "openai"], ("give --profile or --provider, not both",)
    ),
    "missing-key": Cli(GEN, ("no API key", "set MYRELAY_API_KEY"), key=False),
    "retired-model": Cli(
        ["generate", "a cat", "-o", "out.mp4", "--provider", "openai", "-s", "8"],
        ("sora-2 was retired on 2026-09-24", "--allow-retired"),
    ),
    "unknown-model": Cli([*GEN, "-m", "nosuch"], ("has no model 'nosuch'", "veo-3.1-fast")),
    # -- generate: the request ------------------------------------------------------------------
    "duration-not-offered": Cli(
        [*GEN[:-1], "5"], ("5 s is not offered", "supported durations are 4, 8")
    ),
    "duration-zero": Cli([*GEN[:-1], "0"], ("duration must be positive",)),
    "duration-words": Cli([*GEN[:-1], "eight"], ("'eight' is not a valid integer",)),
    "aspect-not-offered": Cli([*GEN, "-a", "1:1"], ("aspect 1:1 is not offered", "16:9")),
    "aspect-nonsense": Cli([*GEN, "-a", "wide"], ("aspect 'wide' is not a ratio",)),
    "resolution-nonsense": Cli([*GEN, "-r", "4k"], ("resolution '4k' is not a tier",)),
    "too-many-variants": Cli([*GEN, "--variants", "3"], ("at most 1 variant(s)",)),
    "empty-prompt": Cli(["generate", "", "-o", "out.mp4", "-p", "relay"], ("prompt is empty",)),
    "nul-in-prompt": Cli(
        ["generate", "-", "-o", "out.mp4", "-p", "relay"],
        ("control character (NUL)", "only newlines and tabs"),
        stdin="a koi\x00pond",
    ),
    "policy-typo": Cli([*GEN, "--policy", "lax"], ("'lax' is not one of 'strict', 'nearest'",)),
    # -- generate: the output and the limits ----------------------------------------------------
    "output-exists": Cli(
        ["generate", "a koi", "-o", "keep.mp4", "-p", "relay", "-s", "8"],
        ("keep.mp4 exists; pass --force to replace it",),
    ),
    "output-is-a-folder": Cli(
        ["generate", "a koi", "-o", "clips", "-p", "relay", "-s", "8"],
        ("clips is a folder; give a file name",),
    ),
    "output-under-a-file": Cli(
        ["generate", "a koi", "-o", "notes.txt/out.mp4", "-p", "relay", "-s", "8"],
        ("notes.txt is a file, not a folder",),
    ),
    "negative-timeout": Cli([*GEN, "--timeout", "-1"], ("'--timeout'", "x>0")),
    "negative-max-cost": Cli([*GEN, "--max-cost", "-1"], ("--max-cost '-1' must be zero or more",)),
    "max-cost-words": Cli([*GEN, "--max-cost", "cheap"], ("--max-cost 'cheap' is not an amount",)),
    "over-budget": Cli(
        [*GEN, "--max-cost", "$0.50"], ("costs $1.20, over max_job_cost 0.50", "raise the limit")
    ),
    # -- generate: the reference image ------------------------------------------------------------
    "reference-missing": Cli([*GEN, "--reference", "missing.png"], ("no such file: missing.png",)),
    "reference-cut-short": Cli(
        [*GEN, "--reference", "cut.png"], ("'cut.png' is damaged or cut short", "again")
    ),
    "reference-not-an-image": Cli(
        [*GEN, "--reference", "notes.txt"], ("match no image format", "convert it to PNG")
    ),
    "reference-plain-http": Cli(
        [*GEN, "--reference", "http://cdn.example.com/a.png"], ("plain http; give an https URL",)
    ),
    "reference-is-a-folder": Cli([*GEN, "--reference", "clips"], ("clips is a folder",)),
    # -- other commands ---------------------------------------------------------------------------
    "command-typo": Cli(["generat", "a cat"], ("No such command 'generat'", "generate")),
    "quote-unknown-model": Cli(["quote", "-m", "nosuch"], ("offers model 'nosuch'", "sora-2")),
    "status-not-in-ledger": Cli(["status", "42"], ("the ledger has no job '42'", "--profile")),
    "status-empty-id": Cli(["status", "", "-p", "relay"], ("the job id is empty",)),
    "download-over-a-file": Cli(
        ["download", "video_1", "-p", "relay", "-o", "keep.mp4"], ("keep.mp4 exists", "--force")
    ),
    "jobs-status-typo": Cli(["jobs", "--status", "done"], ("'done' is neither a job status",)),
    "jobs-limit-zero": Cli(["jobs", "--limit", "0"], ("'--limit'", "x>=1")),
    "wait-negative-timeout": Cli(["wait", "video_1", "-p", "relay", "--timeout", "-5"], ("x>0",)),
    "models-unknown-provider": Cli(["models", "--provider", "nope"], ("unknown provider 'nope'",)),
    "config-missing-file": Cli(["config", "--config", "missing.toml"], ("no config file at",)),
    "config-not-toml": Cli(
        ["quote", "--config", "broken.toml"],
        ("broken.toml is not valid TOML",),
        files={"broken.toml": "[profiles.x\nprovider = 'openai'\n"},
    ),
    "config-durations-string": Cli(
        ["quote", "--config", "bad.toml", "-p", "x"],
        ("profile 'x'", "durations: '12' is not a list"),
        files={
            "bad.toml": '[profiles.x]\nprovider = "openai-compatible"\n'
            'base_url = "https://r.example/v1"\n'
            '[[profiles.x.models]]\nid = "m"\ndurations = "12"\nsizes = ["1280x720"]\n'
        },
    ),
    "config-key-in-file": Cli(
        ["quote", "--config", "key.toml"],
        ("keys never go in the file", "api_key_env"),
        files={"key.toml": '[profiles.x]\nprovider = "openai"\napi_key = "sk-secret-1"\n'},
    ),
    # -- Python -----------------------------------------------------------------------------------
    "py-path-as-reference": Py(
        lambda tmp, server: vidgen.VideoRequest(prompt="a cat", reference="good.png"),
        ("reference=vidgen.Reference.from_path('good.png')",),
        vidgen.InvalidInputType,
    ),
    "py-policy-typo": Py(
        lambda tmp, server: relay(server, policy="lax"),
        ("policy must be 'strict' or 'nearest', not 'lax'",),
        vidgen.ConfigError,
    ),
    "py-max-cost-words": Py(
        lambda tmp, server: relay(server, max_job_cost="abc"),
        ("max_job_cost 'abc' is not an amount",),
        vidgen.ConfigError,
    ),
    "py-generate-over-a-file": Py(
        lambda tmp, server: relay(server).generate(REQUEST, tmp / "keep.mp4"),
        ("keep.mp4 exists; pass overwrite=True to replace it",),
        vidgen.InvalidInput,
    ),
    "py-generate-to-a-folder": Py(
        lambda tmp, server: relay(server).generate(REQUEST, tmp / "clips"),
        ("is a folder; give a file name",),
        vidgen.InvalidInput,
    ),
    "py-generate-negative-timeout": Py(
        lambda tmp, server: relay(server).generate(REQUEST, tmp / "new.mp4", timeout=-1),
        ("timeout must be a number of seconds above 0",),
        vidgen.InvalidInput,
    ),
}


def _prepare(tmp_path: Path, files: dict[str, str] | None = None) -> FakeServer:
    (tmp_path / "vidgen.toml").write_text(RELAY_TOML)
    (tmp_path / "keep.mp4").write_bytes(KEPT)
    (tmp_path / "clips").mkdir()
    (tmp_path / "notes.txt").write_text("just some notes")
    (tmp_path / "good.png").write_bytes(png_bytes(1280, 720))
    (tmp_path / "cut.png").write_bytes(png_bytes(1280, 720)[:-20])
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    return FakeServer()  # answers nothing: any request fails the test


def _untouched(tmp_path: Path, server: FakeServer) -> None:
    assert server.requests == [], [f"{r.method} {r.url}" for r in server.requests]
    assert (tmp_path / "keep.mp4").read_bytes() == KEPT
    assert not (tmp_path / "out.mp4").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_there_are_fifty() -> None:
    assert len(CASES) == 50


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    files = case.files if isinstance(case, Cli) else None
    server = _prepare(tmp_path, files)
    if isinstance(case, Py):
        with pytest.raises(case.error) as caught:
            case.call(tmp_path, server)
        message = str(caught.value)
        assert caught.value.user_error
        assert "\n" not in message
        for words in case.says:
            assert words in message, message
        _untouched(tmp_path, server)
        return
    if case.key:
        monkeypatch.setenv("MYRELAY_API_KEY", "sk-relay-test")
    clock = FakeClock.at(TODAY)
    result = CliRunner().invoke(
        cli,
        case.args,
        obj={"clock": clock, "sleep": clock.sleep, "http_client": server.client()},
        input=case.stdin,
        env={"COLUMNS": "200"},
        prog_name="vidgen",
    )
    assert result.exit_code == case.code, result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert lines[-1] == errors[0], result.stderr  # the error is the last word
    assert "Traceback" not in result.output
    assert "Usage:" not in result.output
    assert "`" not in errors[0]
    assert "sk-secret-1" not in result.output
    assert result.stdout == ""  # nothing a script could mistake for a result
    for words in case.says:
        assert words in errors[0], errors[0]
    _untouched(tmp_path, server)
