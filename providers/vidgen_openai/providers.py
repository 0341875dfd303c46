"""The ``openai`` and ``openai-compatible`` providers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from vidgen import ConfigError

from .protocol import VideosAPIProvider

__all__ = ["OpenAICompatibleProvider", "OpenAIProvider"]


class OpenAIProvider(VideosAPIProvider):
    """OpenAI's own Videos API (shut down on 2026-09-24; its catalog says so).

    Settings: ``api_key`` (default ``$OPENAI_API_KEY``), ``base_url``, ``organization``,
    ``project``.
    """

    name = "openai"
    display_name = "OpenAI"
    api_key_env = "OPENAI_API_KEY"
    default_base_url = "https://api.openai.com/v1"
    catalog_package = "vidgen_openai"
    docs_url = "https://developers.openai.com/api/docs/guides/video-generation"

    def __init__(
        self,
        *,
        organization: str | None = None,
        project: str | None = None,
        **settings: Any,
    ) -> None:
        super().__init__(**settings)
        self.organization = organization
        self.project = project

    def auth_headers(self) -> dict[str, str]:
        """Bearer key, plus the organization and project headers when set."""
        headers = super().auth_headers()
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            headers["OpenAI-Project"] = self.project
        return headers


class OpenAICompatibleProvider(VideosAPIProvider):
    """Any relay that speaks the ``/v1/videos`` protocol, described entirely in config.

    Settings: ``base_url`` (required), ``api_key_env`` (the variable with the relay's
    key; without it no key is sent), ``models`` (the relay's models: ids, durations,
    sizes, prices).
    """

    name = "openai-compatible"
    display_name = "OpenAI-compatible relay"
    api_key_env: ClassVar[str | None] = None
    catalog_package = None

    def __init__(
        self,
        *,
        base_url: str | None = None,
        models: Iterable[Mapping[str, Any]] = (),
        **settings: Any,
    ) -> None:
        if not base_url:
            raise ConfigError(
                "openai-compatible needs base_url, the relay's API root "
                '(e.g. base_url = "https://relay.example.com/v1")'
            )
        super().__init__(base_url=base_url, models=models, **settings)

    def auth_headers(self) -> dict[str, str]:
        """A bearer key when one is configured; none for a relay without keys."""
        if self._api_key is None and not self.key_env:
            return {}
        return super().auth_headers()
