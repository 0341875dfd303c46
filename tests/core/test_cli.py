"""The ``vidgen`` command: offline quotes, one-line errors, and what goes to stdout."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vidgen.cli import cli

WIDE = {"COLUMNS": "250"}  # rich wraps table cells at 80 columns otherwise

RELAY_TOML = """
[profiles.relay]
provider = "openai-compatible"
base_url = "https://relay.example.com/v1"
api_key_env = "MYRELAY_API_KEY"

[[profiles.relay.models]]
id = "veo-3.1-fast"
durations = [4, 6, 8]
sizes = ["1280x720", "720x1280"]
price_per_second = "0.15"
price_source = "https://relay.example.com/pricing"
price_as_of = 2026-10-01
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=WIDE, prog_name="vidgen")


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    assert "Usage:" not in result.output
    return lines[0]


def offers(result: Result) -> list[dict[str, Any]]:
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def find(data: list[dict[str, Any]], provider: str, model: str) -> dict[str, Any]:
    return next(o for o in data if o["provider"] == provider and o["model"] == model)


# -- quote ------------------------------------------------------------------------------------


def test_quote_works_offline_and_explains_retired_models() -> None:
    result = run("quote", "--seconds", "8", "--aspect", "16:9")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the table is for people: stderr
    text = flat(result.stderr)
    assert "Quotes for 8 s 16:9" in text
    assert "openai" in text
    assert "retired 2026-09-24; --all prices it anyway" in text
    assert "--all shows every model, prices retired ones" in text
    assert "sora-2, sora-2-pro" in text  # the openai row sums up its retired models
    # Retired models are not priced without --all.
    openai = [
        o
        for o in offers(run("quote", "-s", "8", "-a", "16:9", "--json"))
        if o["provider"] == "openai"
    ]
    assert openai
    assert all(o["quote"] is None for o in openai)


def test_quote_all_prices_retired_models() -> None:
    result = run("quote", "--seconds", "8", "--aspect", "16:9", "--all")
    assert result.exit_code == 0, result.output
    text = flat(result.stderr)
    assert "RETIRED 2026-09-24" in text
    assert "$0.80" in text  # sora-2: 8 s at $0.10
    assert "$2.40" in text  # sora-2-pro: 8 s at $0.30
    assert "developers.openai.com" in text  # sources are cited


def test_quote_json_is_parseable() -> None:
    plain = offers(run("quote", "--seconds", "8", "--aspect", "16:9", "--json"))
    sora = find(plain, "openai", "sora-2")
    assert sora["available"] is False
    assert sora["retired"] is True
    assert sora["retired_on"] == "2026-09-24"
    assert "retired" in sora["reason"]

    everything = offers(run("quote", "--seconds", "8", "--aspect", "16:9", "--all", "--json"))
    sora = find(everything, "openai", "sora-2")
    assert sora["available"] is True
    assert sora["quote"]["amount"] == "0.80"
    assert sora["quote"]["currency"] == "USD"
    assert sora["fitted"]["size"] == "1280x720"
    assert sora["fitted"]["seconds"] == 8


def test_quote_nearest_shows_adjustments_in_json() -> None:
    data = offers(run("quote", "--seconds", "9", "--aspect", "16:9", "--all", "--json"))
    fitted = find(data, "openai", "sora-2")["fitted"]
    assert fitted["seconds"] == 8
    assert fitted["adjustments"] == [
        {
            "field": "duration",
            "requested": 9,
            "sent": 8,
            "reason": "supported durations are 4, 8, 12, 16, 20 seconds",
        }
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--aspect", "5:0"], "aspect '5:0' is not a ratio"),
        (["--aspect", "wide"], "aspect 'wide' is not a ratio"),
        (["--resolution", "hd"], "resolution 'hd' is not a tier"),
        (["--seconds", "0"], "duration must be positive"),
        (["--variants", "0"], "variants must be a whole number of 1 or more"),
    ],
)
def test_bad_request_is_one_line(args: list[str], message: str) -> None:
    line = assert_one_line_error(run("quote", *args))
    assert message in line


def test_quote_unknown_provider() -> None:
    line = assert_one_line_error(run("quote", "--provider", "nope"))
    assert "unknown provider 'nope'" in line
    assert "openai" in line


def test_quote_with_a_profile_from_the_cwd(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text(RELAY_TOML)
    data = offers(run("quote", "--seconds", "8", "--profile", "relay", "--json"))
    assert [(o["profile"], o["model"]) for o in data] == [("relay", "veo-3.1-fast")]
    assert data[0]["quote"]["amount"] == "1.20"
    assert data[0]["quote"]["as_of"] == "2026-10-01"

    table = run("quote", "--seconds", "8", "--profile", "relay")
    assert table.exit_code == 0, table.output
    assert "$1.20" in table.stderr
    assert "relay.example.com/pricing" in flat(table.stderr)


def test_quote_lists_config_profiles_beside_providers(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text(RELAY_TOML)
    data = offers(run("quote", "--seconds", "8", "--json"))
    relay = find(data, "openai-compatible", "veo-3.1-fast")
    assert relay["profile"] == "relay"
    assert relay["available"] is True
    # Priced offers come first, cheapest first; the retired built-ins come last.
    ranks = [
        0 if o["available"] and o["quote"]["amount"] is not None else 1 if o["available"] else 2
        for o in data
    ]
    assert ranks == sorted(ranks)
    priced = [
        Decimal(o["quote"]["amount"]) for o, rank in zip(data, ranks, strict=True) if rank == 0
    ]
    assert priced == sorted(priced)
    assert Decimal(relay["quote"]["amount"]) in priced
    assert find(data, "openai", "sora-2")["retired"] is True


# -- generate ---------------------------------------------------------------------------------


def test_generate_on_a_retired_model_is_one_line(tmp_path: Path) -> None:
    result = run("generate", "a cat", "-o", "cat.mp4", "--provider", "openai", "--seconds", "8")
    line = assert_one_line_error(result)
    assert "sora-2 was retired on 2026-09-24" in line
    assert "--allow-retired" in line
    assert not (tmp_path / "cat.mp4").exists()


def test_generate_without_a_key_names_the_variable(tmp_path: Path) -> None:
    result = run(
        "generate",
        "a cat",
        "-o",
        "cat.mp4",
        "--provider",
        "openai",
        "--seconds",
        "8",
        "--allow-retired",
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ")
    assert "OPENAI_API_KEY" in last
    assert "retired" in result.stderr  # the warning came first
    assert not (tmp_path / "cat.mp4").exists()


def test_generate_over_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-used")
    result = run(
        "generate",
        "a cat",
        "-o",
        "cat.mp4",
        "--provider",
        "openai",
        "--seconds",
        "8",
        "--allow-retired",
        "--max-cost",
        "$0.50",
    )
    assert result.exit_code == 2, result.output
    assert "over max_job_cost 0.50" in flat(result.stderr)
    assert "sk-never-used" not in result.output


# -- download ---------------------------------------------------------------------------------


def test_download_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"keep me")
    result = run("download", "video_123", "--provider", "openai", "-o", str(target))
    assert result.exit_code == 2
    assert "exists; pass --force to replace it" in flat(result.output)
    assert target.read_bytes() == b"keep me"


# -- catalog and set-up -----------------------------------------------------------------------


def test_providers_lists_the_built_ins() -> None:
    result = run("providers")
    assert result.exit_code == 0, result.output
    names = result.stdout.split()
    assert "openai" in names
    assert "openai-compatible" in names
    assert names == sorted(names)
    assert "OPENAI_API_KEY" in result.stderr  # the table says where the key comes from


def test_providers_reports_disabled_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDGEN_DISABLE_PLUGINS", "openai")
    result = run("providers")
    assert result.exit_code == 0
    assert "openai" not in result.stdout.split()
    assert "disabled by VIDGEN_DISABLE_PLUGINS: openai" in flat(result.stderr)


def test_models_shows_sources_and_dates() -> None:
    result = run("models", "--provider", "openai")
    assert result.exit_code == 0, result.output
    text = flat(result.stderr)
    assert "sora-2" in text
    assert "sora-2-pro" in text
    assert "2026-09-24" in text  # the retirement date
    assert "2026-08-21" in text  # the date prices were read
    assert "https://developers.openai.com/de-DE/api/docs/models/sora-2" in text


def test_models_json() -> None:
    result = run("models", "--provider", "openai", "--json")
    data = json.loads(result.stdout)
    assert [m["id"] for m in data] == ["sora-2", "sora-2-pro"]
    assert data[0]["where"] == "openai"
    assert data[0]["lifecycle"]["retired_on"] == "2026-09-24"
    assert data[0]["prices"][0]["per_second"] == "0.10"
    assert data[0]["prices"][0]["as_of"] == "2026-08-21"


def test_models_unknown_provider() -> None:
    line = assert_one_line_error(run("models", "--provider", "nope"))
    assert "unknown provider 'nope'" in line


def test_config_command(tmp_path: Path) -> None:
    assert "No config file" in flat(run("config").stderr)
    (tmp_path / "vidgen.toml").write_text(RELAY_TOML)
    result = run("config")
    assert result.exit_code == 0
    assert result.stdout.strip() == str((tmp_path / "vidgen.toml").resolve())
    assert "relay: provider openai-compatible, key from MYRELAY_API_KEY" in flat(result.stderr)


def test_bad_config_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text('[profiles.x]\nprovider = "openai"\napi_key = "sk-1"\n')
    line = assert_one_line_error(run("quote", "--seconds", "8"))
    assert "keys never go in the file" in line
    assert "sk-1" not in line
