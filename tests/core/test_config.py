"""vidgen.toml: profiles, where the file is found, and what it may not hold."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

import vidgen
from vidgen import ConfigError, VideoRequest
from vidgen._config import find_config, parse_config

RELAY = """
default_profile = "relay"
max_job_cost = "5"

[profiles.relay]
provider = "openai-compatible"
base_url = "https://relay.example.com/v1"
api_key_env = "MYRELAY_API_KEY"
max_job_cost = "1.50"

[[profiles.relay.models]]
id = "veo-3.1-fast"
durations = [4, 6, 8]
sizes = ["1280x720", "720x1280"]
price_per_second = "0.15"
price_source = "https://relay.example.com/pricing"
price_as_of = 2026-10-01

[profiles.sora]
provider = "openai"
api_key_env = "MY_OPENAI_KEY"
"""


def test_parse_profiles() -> None:
    config = parse_config(RELAY)
    assert config.default_profile == "relay"
    assert config.max_job_cost == Decimal("5")
    assert sorted(config.profiles) == ["relay", "sora"]
    relay = config.profile()
    assert relay.name == "relay"
    assert relay.provider == "openai-compatible"
    assert relay.max_job_cost == Decimal("1.50")
    assert relay.settings["base_url"] == "https://relay.example.com/v1"
    assert relay.settings["api_key_env"] == "MYRELAY_API_KEY"
    assert relay.settings["models"][0]["id"] == "veo-3.1-fast"
    # vidgen's own keys are not passed to the provider as settings.
    assert "provider" not in relay.settings
    assert "max_job_cost" not in relay.settings
    assert config.profile("sora").settings == {"api_key_env": "MY_OPENAI_KEY"}


def test_unknown_profile_lists_the_profiles() -> None:
    config = parse_config(RELAY, Path("/etc/vidgen.toml"))
    with pytest.raises(
        ConfigError, match=r"no profile 'azure' in /etc/vidgen.toml; profiles: relay, sora"
    ):
        config.profile("azure")


def test_no_profile_and_no_default() -> None:
    config = parse_config('[profiles.a]\nprovider = "openai"\n')
    with pytest.raises(ConfigError, match="no default_profile set; pass --profile NAME"):
        config.profile()


def test_empty_config_says_no_file_was_found() -> None:
    with pytest.raises(ConfigError, match=r"no vidgen\.toml was found"):
        vidgen.Config().profile("relay")


def test_default_profile_must_exist() -> None:
    text = 'default_profile = "nope"\n[profiles.a]\nprovider = "openai"\n'
    with pytest.raises(
        ConfigError, match=r"default_profile 'nope' is not one of the profiles \(a\)"
    ):
        parse_config(text)


@pytest.mark.parametrize("key", ["api_key", "token", "secret", "password", "key"])
def test_keys_in_the_file_are_refused(key: str) -> None:
    text = f'[profiles.a]\nprovider = "openai"\n{key} = "sk-live-123"\n'
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    message = str(info.value)
    assert f"[profiles.a] holds {key!r}; keys never go in the file" in message
    assert "api_key_env" in message
    assert "sk-live-123" not in message


def test_unknown_top_level_key() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown key 'profile'; the top level takes default_profile"
    ):
        parse_config('[profile.a]\nprovider = "openai"\n')


def test_invalid_toml_names_the_file() -> None:
    with pytest.raises(ConfigError, match=r"^conf/vidgen.toml is not valid TOML: "):
        parse_config("[profiles.a\nprovider = ", Path("conf/vidgen.toml"))


def test_profile_needs_a_provider() -> None:
    with pytest.raises(ConfigError, match=r'\[profiles.a\] needs provider = "..."'):
        parse_config('[profiles.a]\nbase_url = "https://x.example.com"\n')


def test_profile_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match=r"\[profiles.a\] must be a table"):
        parse_config('[profiles]\na = "openai"\n')


def test_models_must_be_tables() -> None:
    with pytest.raises(ConfigError, match=r"must be \[\[profiles.a.models\]\] tables"):
        parse_config('[profiles.a]\nprovider = "openai"\nmodels = ["sora-2"]\n')


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2.5", 'write money as a string, e.g. "2.5"'),
        ('"cheap"', "'cheap' is not an amount of money"),
        ('"-1"', "'-1' is negative"),
    ],
)
def test_max_job_cost_must_be_exact_money(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(f"max_job_cost = {value}\n")
    with pytest.raises(ConfigError, match=f"profiles.a.max_job_cost: {message}"):
        parse_config(f'[profiles.a]\nprovider = "openai"\nmax_job_cost = {value}\n')


def test_max_job_cost_as_an_integer_is_exact() -> None:
    assert parse_config("max_job_cost = 3\n").max_job_cost == Decimal("3")


# -- finding the file -------------------------------------------------------------------------


def _write(path: Path, profile: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[profiles.{profile}]\nprovider = "openai"\n')
    return path


def _user_config() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "vidgen" / "vidgen.toml"


def test_no_file_anywhere_is_an_empty_config() -> None:
    assert find_config() is None
    config = vidgen.load_config()
    assert config.path is None
    assert config.profiles == {}


def test_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = _write(_user_config(), "from_user_dir")
    assert vidgen.load_config().path == user
    assert list(vidgen.load_config().profiles) == ["from_user_dir"]

    local = _write(tmp_path / "vidgen.toml", "from_cwd")
    assert find_config() == local.resolve()
    assert list(vidgen.load_config().profiles) == ["from_cwd"]

    chosen = _write(tmp_path / "elsewhere" / "mine.toml", "from_env")
    monkeypatch.setenv("VIDGEN_CONFIG", str(chosen))
    assert find_config() == chosen
    assert list(vidgen.load_config().profiles) == ["from_env"]


def test_vidgen_config_pointing_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "vidgen.toml", "local")  # not used as a fallback: the user asked for another
    missing = tmp_path / "missing.toml"
    monkeypatch.setenv("VIDGEN_CONFIG", str(missing))
    with pytest.raises(ConfigError, match=f"VIDGEN_CONFIG={missing} but there is no such file"):
        vidgen.load_config()


def test_explicit_path_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        vidgen.load_config(tmp_path / "absent.toml")


# -- profiles in clients ----------------------------------------------------------------------


def test_client_resolves_a_profile(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text(RELAY)
    client = vidgen.Client("relay")
    try:
        provider = client.provider
        assert provider.name == "openai-compatible"
        assert provider.profile == "relay"
        assert provider.base_url == "https://relay.example.com/v1"
        assert client.max_job_cost == Decimal("1.50")  # the profile's limit beats the file's
        assert provider.catalog.ids == ("veo-3.1-fast",)
    finally:
        client.close()


def test_client_default_profile_and_top_level_limit(tmp_path: Path) -> None:
    text = RELAY.replace('max_job_cost = "1.50"\n', "").replace(
        'default_profile = "relay"', 'default_profile = "sora"'
    )
    path = tmp_path / "conf.toml"
    path.write_text(text)
    client = vidgen.Client(config=path)
    try:
        assert client.provider.name == "openai"
        assert client.max_job_cost == Decimal("5")
    finally:
        client.close()


def test_missing_key_only_matters_when_a_request_is_built(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text(RELAY)
    client = vidgen.Client("sora", allow_retired=True)
    try:
        request = VideoRequest(prompt="a cat", duration=8)
        # fit and quote work without a key.
        assert client.quote(request).amount == Decimal("0.80")
        assert client.fit(request).model == "sora-2"
        with pytest.raises(ConfigError, match="no API key for openai: set MY_OPENAI_KEY"):
            client.provider.build_submit(client.fit(request))
    finally:
        client.close()


def test_key_from_the_profiles_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "vidgen.toml").write_text(RELAY)
    monkeypatch.setenv("MYRELAY_API_KEY", "relay-secret-key")
    client = vidgen.Client("relay")
    try:
        fitted = client.fit(VideoRequest(prompt="a fox", duration=4))
        request = client.provider.build_submit(fitted)
        assert request.headers["authorization"] == "Bearer relay-secret-key"
        assert "relay-secret-key" not in repr(client.provider)
    finally:
        client.close()


def test_profile_with_a_bad_setting_names_the_profile(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text('[profiles.x]\nprovider = "openai"\ncolour = "red"\n')
    with pytest.raises(
        ConfigError, match=r"profile 'x' in .*vidgen.toml: openai: unknown setting\(s\) colour"
    ):
        vidgen.Client("x")


def test_profile_and_provider_together_are_refused() -> None:
    with pytest.raises(ConfigError, match="profile= or provider=, not both"):
        vidgen.Client("relay", provider="openai")
