"""``vidgen emulator serve`` and ``python -m vidgen.emulator``: one command line, two names."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner, Result

import vidgen.emulator._command as emulator_command
from vidgen.cli import cli
from vidgen.emulator import __main__ as emulator_main
from vidgen.emulator._command import banner, parse_model
from vidgen.media import probe_video

CLI = [sys.executable, "-c", "from vidgen.cli import main; main()"]
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture
def restore_uvicorn_logging() -> Iterator[None]:
    """A foreground server configures uvicorn's loggers on the runner's captured stream;
    put them back, so later emulators never log to a closed stream."""
    saved = {}
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = (list(logger.handlers), logger.level, logger.propagate)
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="vidgen")


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


def wait_for_port(port_file: Path, process: subprocess.Popen[Any] | None = None) -> int:
    deadline = time.monotonic() + 60  # a busy machine can take a while to start Python
    while not (port_file.exists() and port_file.read_text()):
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the emulator exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError("the emulator never wrote its port file")
        time.sleep(0.02)
    return int(port_file.read_text())


# -- in the test's own process ------------------------------------------------------------------


@pytest.mark.usefixtures("restore_uvicorn_logging")
def test_serve_prints_its_urls_answers_and_stops_by_itself(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    seen: dict[str, Any] = {}

    def client() -> None:
        # The server runs in the foreground (this thread's caller), as a user runs it.
        try:
            port = wait_for_port(port_file)
            base = f"http://127.0.0.1:{port}"
            seen["port"] = port
            seen["create"] = httpx.post(
                f"{base}/v1/videos",
                json={"prompt": "a kite", "seconds": "1", "size": "160x90"},
                headers={"Authorization": "Bearer sk-local"},
                timeout=30,
            ).status_code
            seen["stats"] = httpx.get(f"{base}/_emulator/stats", timeout=30).json()
        except Exception as exc:  # reported by the assertions below
            seen["error"] = exc

    thread = threading.Thread(target=client)
    thread.start()
    result = run(
        "emulator",
        "serve",
        "--port",
        "0",
        "--port-file",
        str(port_file),
        "--protocol",
        "openai,azure",
        "--speed",
        "20",
        "--api-key",
        "sk-local",
        "--fault",
        "rate_limit:on=status",
        "--lifetime",
        "3",
        "--log-level",
        "warning",
    )
    thread.join(timeout=60)
    assert "error" not in seen, seen
    assert result.exit_code == 0, result.output
    port = seen["port"]
    origin = f"http://127.0.0.1:{port}"
    text = result.stderr
    assert f"vidgen emulator on {origin} (speed 20x" in text
    assert f"openai  base_url {origin}/v1" in text
    assert f"azure   base_url {origin}/openai/v1  (endpoint {origin})" in text
    assert "aivideoapi" not in text
    assert f'openai.OpenAI(base_url="{origin}/v1", api_key="sk-local")' in text
    assert "faults  rate_limit" in text
    assert text.rstrip().endswith("vidgen emulator stopped")
    assert seen["create"] == 200
    assert seen["stats"]["submits"] == {"openai": 1}


def test_a_bad_fault_is_one_line_and_exit_2() -> None:
    line = one_line_error(run("emulator", "serve", "--fault", "explode"))
    assert "Invalid value for '--fault': unknown fault kind 'explode'; kinds: rate_limit" in line
    line = one_line_error(run("emulator", "serve", "--fault", "cut_download:after_bytes=lots"))
    assert "--fault" in line


def test_an_unknown_protocol_is_one_line_and_exit_2() -> None:
    line = one_line_error(run("emulator", "serve", "--protocol", "openai,sora"))
    assert "unknown protocol 'sora'; the emulator speaks openai, aivideoapi, azure (or all)" in line


def test_bad_numbers_and_models_are_one_line_and_exit_2() -> None:
    assert "--speed" in one_line_error(run("emulator", "serve", "--speed", "0"))
    assert "--port" in one_line_error(run("emulator", "serve", "--port", "70000"))
    line = one_line_error(run("emulator", "serve", "--model", "veo:colour=blue"))
    assert "unknown model field 'colour'" in line


def test_a_port_in_use_says_so_and_exits_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("emulator", "serve", "--port", str(port))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: cannot serve on 127.0.0.1:{port}: ")
    assert "--port 0" in lines[0]


def test_ctrl_c_is_a_clean_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(**_: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(emulator_command, "serve", interrupted)
    result = run("emulator", "serve", "--port", "0")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "vidgen emulator stopped"


def test_both_commands_have_the_same_options() -> None:
    group = cli.commands["emulator"]
    serve = group.get_command(click.Context(group), "serve")  # type: ignore[attr-defined]
    assert serve is not None
    names = sorted(p.name or "" for p in serve.params if p.name != "help")
    assert names == sorted(p.name or "" for p in emulator_main._command.params)
    assert {"port", "protocols", "faults", "speed", "port_file", "state_dir", "api_key"} <= set(
        names
    )
    assert "emulator" in run("--help").output
    assert "serve" in run("emulator", "--help").output


def test_python_m_refuses_bad_faults_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert emulator_main.main(["--fault", "explode"]) == 2
    assert "unknown fault kind 'explode'" in capsys.readouterr().err


def test_model_entries() -> None:
    assert parse_model("veo-3:audio=no,fps=30,durations=4/8,sizes=1280x720")[1].audio is False
    name, profile = parse_model("bench:synthetic_bytes=1000")
    assert (name, profile.synthetic_bytes) == ("bench", 1000)
    with pytest.raises(ValueError, match="synthetic_bytes"):
        parse_model("bench:synthetic_bytes=0")


def test_the_banner_without_openai_has_no_sdk_lines() -> None:
    text = banner("http://127.0.0.1:9", protocols=("aivideoapi",))
    assert "aivideoapi  base_url http://127.0.0.1:9/aivideoapi/v1" in text
    assert "openai.OpenAI" not in text
    assert "any API key accepted" in text


# -- as its own process, driven by the official openai SDK ---------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="stops the server with SIGINT")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_serve_in_a_process_round_trips_the_openai_sdk(tmp_path: Path) -> None:
    openai = pytest.importorskip("openai")
    if not hasattr(openai.OpenAI(api_key="x", base_url="http://127.0.0.1:1/v1"), "videos"):
        pytest.skip(f"openai {openai.__version__} has no videos API")
    port_file = tmp_path / "port"
    process = subprocess.Popen(
        [
            *CLI,
            "emulator",
            "serve",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--protocol",
            "openai",
            "--speed",
            "20",
            "--api-key",
            "sk-local",
            "--lifetime",
            "120",
            "--log-level",
            "warning",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        port = wait_for_port(port_file, process)
        client = openai.OpenAI(
            api_key="sk-local", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, timeout=60
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            video = client.videos.create(
                prompt="a paper boat", model="sora-2", seconds="4", size="160x90"
            )
            deadline = time.monotonic() + 60
            while video.status != "completed":
                assert video.status in ("queued", "in_progress"), video
                assert time.monotonic() < deadline, video
                time.sleep(0.05)
                video = client.videos.retrieve(video.id)
            data = client.videos.download_content(video.id).content
        stats = httpx.get(f"http://127.0.0.1:{port}/_emulator/stats", timeout=30).json()
        assert stats["total_submits"] == 1
        assert stats["content_requests"] == {video.id: 1}
        assert stats["bytes_sent"] == len(data)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert f'openai.OpenAI(base_url="http://127.0.0.1:{port}/v1", api_key="sk-local")' in stderr
    assert stderr.rstrip().endswith("vidgen emulator stopped")
    assert "Traceback" not in stderr
    path = tmp_path / "boat.mp4"
    path.write_bytes(data)
    info = probe_video(path)
    assert (info.width, info.height) == (160, 90)


def test_a_quote_never_loads_the_emulator_server(tmp_path: Path) -> None:
    # The sandbox provider names the emulator at import time, and every command finds
    # it; the server (uvicorn, asyncio) and the protocols load only when one starts.
    code = (
        "import sys\n"
        "sys.argv = ['vidgen', 'quote', '--seconds', '8', '--aspect', '16:9']\n"
        "from vidgen.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('uvicorn', 'asyncio', 'vidgen.emulator._app', 'vidgen.emulator._command')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.__stdout__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
