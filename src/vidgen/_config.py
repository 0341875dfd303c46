"""``vidgen.toml``: named profiles, each a provider with its settings.

The file is found at ``$VIDGEN_CONFIG``, else ``./vidgen.toml``, else ``vidgen.toml`` in
the user config directory. Keys never live in it: a profile names the environment
variable that holds its key (``api_key_env``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from ._catalog import parse_toml
from ._exceptions import ConfigError
from ._public import public

__all__ = [
    "CONFIG_ENV",
    "ROUTE",
    "STRATEGIES",
    "Config",
    "Profile",
    "check_in_flight",
    "find_config",
    "load_config",
]

CONFIG_ENV = "VIDGEN_CONFIG"
#: The provider name of a routing profile, and the strategies it may use.
ROUTE = "route"
STRATEGIES = ("cheapest", "in_order")
_TOP_LEVEL_KEYS = {"default_profile", "profiles", "max_job_cost", "max_daily_spend", "ledger_url"}
# Profile keys vidgen keeps for itself; every other key is a provider setting.
_PROFILE_KEYS = {"provider", "max_job_cost", "max_in_flight"}
_SECRET_KEYS = {"api_key", "key", "token", "secret", "password"}


def _money(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise ConfigError(f'{where}: write money as a string, e.g. "{value}", so it stays exact')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{where}: {value!r} is not an amount of money") from None
    if amount < 0:
        raise ConfigError(f"{where}: {value!r} is negative")
    return amount


@public
@attrs.frozen(kw_only=True)
class Profile:
    """One named way to reach a provider.

    Attributes:
        name: the profile's name.
        provider: the registered provider name.
        settings: the provider's settings (``api_key_env``, ``base_url``, ``models``, ...).
        max_job_cost: refuse any job whose quote is higher (in the quote's currency).
        max_in_flight: how many jobs the profile's account works on at once (None: the
            provider's default); a job over it waits in vidgen for a slot.
    """

    name: str
    provider: str
    settings: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    max_job_cost: Decimal | None = None
    max_in_flight: int | None = None


@public
@attrs.frozen(kw_only=True)
class Config:
    """A parsed ``vidgen.toml``; empty when there is no file."""

    path: Path | None = None
    default_profile: str | None = None
    profiles: Mapping[str, Profile] = attrs.field(factory=dict, hash=False)
    max_job_cost: Decimal | None = None
    max_daily_spend: Decimal | None = None
    #: A shared ledger (``postgresql://USER@HOST:PORT/DB``), or None for the SQLite file.
    ledger_url: str | None = None

    def profile(self, name: str | None = None) -> Profile:
        """The named profile, or the default one.

        Raises:
            ConfigError: no such profile, or no name and no default.
        """
        name = name or self.default_profile
        where = f" in {self.path}" if self.path else ""
        if name is None:
            raise ConfigError(
                "no profile given and no default_profile set; pass --profile NAME or "
                "--provider NAME, or set default_profile in vidgen.toml"
            )
        if name not in self.profiles:
            known = ", ".join(sorted(self.profiles)) or "none"
            hint = "" if self.path else " (no vidgen.toml was found; see `vidgen config`)"
            raise ConfigError(f"no profile {name!r}{where}; profiles: {known}{hint}")
        return self.profiles[name]


def find_config() -> Path | None:
    """Where the config file is: ``$VIDGEN_CONFIG``, ``./vidgen.toml``, the user dir.

    Raises:
        ConfigError: ``$VIDGEN_CONFIG`` names a file that does not exist.
    """
    env = os.environ.get(CONFIG_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV}={env} but there is no such file")
        return path
    local = Path("vidgen.toml")
    if local.is_file():
        return local.resolve()
    import platformdirs  # imported here: only needed when looking for the file

    user = Path(platformdirs.user_config_dir("vidgen")) / "vidgen.toml"
    return user if user.is_file() else None


def _profile(name: str, raw: Any, where: str) -> Profile:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: [profiles.{name}] must be a table")
    secrets = sorted(set(raw) & _SECRET_KEYS)
    if secrets:
        raise ConfigError(
            f"{where}: [profiles.{name}] holds {secrets[0]!r}; keys never go in the file. "
            f"Remove it, put the key in an environment variable and set "
            f'api_key_env = "THAT_VARIABLE"'
        )
    provider = raw.get("provider")
    if not isinstance(provider, str) or not provider:
        raise ConfigError(
            f'{where}: [profiles.{name}] needs provider = "..." '
            "(openai, openai-compatible, or an installed plugin's provider)"
        )
    models = raw.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, Mapping) for m in models):
        raise ConfigError(
            f"{where}: profiles.{name}.models must be [[profiles.{name}.models]] tables"
        )
    settings = {k: v for k, v in raw.items() if k not in _PROFILE_KEYS}
    if provider == ROUTE:
        _check_route(name, settings, where)
        if "max_in_flight" in raw:
            raise ConfigError(
                f"{where}: route profile {name!r}: max_in_flight belongs to the accounts a "
                "route sends to; set it on the candidate profiles"
            )
    return Profile(
        name=name,
        provider=provider,
        settings=settings,
        max_job_cost=_money(raw.get("max_job_cost"), f"{where}: profiles.{name}.max_job_cost"),
        max_in_flight=check_in_flight(raw.get("max_in_flight"), f"{where}: profiles.{name}"),
    )


def check_in_flight(value: Any, where: str) -> int | None:
    """``max_in_flight`` checked: None, or a whole number of jobs, 1 or more."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{where}: max_in_flight must be a whole number of jobs, 1 or more "
            f"(how many jobs the account may run at once), not {value!r}"
        )
    return value


def _check_route(name: str, settings: Mapping[str, Any], where: str) -> None:
    candidates = settings.get("candidates")
    if (
        not isinstance(candidates, list)
        or not candidates
        or not all(isinstance(c, str) and c for c in candidates)
    ):
        raise ConfigError(
            f'{where}: route profile {name!r} needs candidates = ["profile-or-provider", ...]'
        )
    strategy = settings.get("strategy", "cheapest")
    if strategy not in STRATEGIES:
        raise ConfigError(
            f'{where}: route profile {name!r}: strategy must be "cheapest" or "in_order", '
            f"not {strategy!r}"
        )
    unknown = sorted(set(settings) - {"candidates", "strategy"})
    if unknown:
        raise ConfigError(
            f"{where}: route profile {name!r}: unknown key {unknown[0]!r} "
            "(a route takes candidates, strategy and max_job_cost)"
        )


def _ledger_url(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.lower().startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            f'{where}: ledger_url must be a PostgreSQL URL, e.g. "postgresql://vidgen@db.example/vidgen"'
        )
    userinfo = value.split("://", 1)[1].split("/", 1)[0].rpartition("@")[0]
    if ":" in userinfo or "password=" in value.lower():
        raise ConfigError(
            f"{where}: ledger_url holds a password; secrets never go in the file. Remove it and "
            "set PGPASSWORD (or use ~/.pgpass), or put the whole URL in VIDGEN_LEDGER_URL"
        )
    return value


def parse_config(text: str, path: Path | None = None) -> Config:
    """Parse the text of a ``vidgen.toml``.

    Raises:
        ConfigError: the TOML is invalid or a profile is malformed (says where).
    """
    where = str(path) if path else "vidgen.toml"
    try:
        raw = parse_toml(text)
    except ValueError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - _TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; the top level takes "
            + ", ".join(sorted(_TOP_LEVEL_KEYS))
        )
    profiles_raw = raw.get("profiles", {})
    if not isinstance(profiles_raw, Mapping):
        raise ConfigError(f"{where}: profiles must be [profiles.NAME] tables")
    profiles = {name: _profile(name, value, where) for name, value in profiles_raw.items()}
    default = raw.get("default_profile")
    if default is not None and default not in profiles:
        raise ConfigError(
            f"{where}: default_profile {default!r} is not one of the profiles "
            f"({', '.join(sorted(profiles)) or 'none'})"
        )
    return Config(
        path=path,
        default_profile=default,
        profiles=profiles,
        max_job_cost=_money(raw.get("max_job_cost"), f"{where}: max_job_cost"),
        max_daily_spend=_money(raw.get("max_daily_spend"), f"{where}: max_daily_spend"),
        ledger_url=_ledger_url(raw.get("ledger_url"), where),
    )


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the config file (or the one `find_config` finds); an empty `Config` if none.

    Raises:
        ConfigError: the file cannot be read or is malformed.
    """
    found = Path(path) if path is not None else find_config()
    if found is None:
        return Config()
    try:
        text = found.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {found}: {exc.strerror or exc}") from exc
    return parse_config(text, found)
