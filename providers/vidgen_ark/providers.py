"""Seedance on Ark: the ``byteplus`` and ``volcengine`` providers.

Both speak the content-array task protocol (`vidgen_ark.protocol`) at
``/contents/generations/tasks`` with the same fields and error codes; they differ in host,
model ids (BytePlus ``dreamina-seedance-...`` for 2.x, Volcengine ``doubao-seedance-...``),
the models offered and the currency. Everything Ark does beyond the protocol is here:
``ratio``/``resolution``/``duration``/``seed``/``generate_audio``/``watermark``, usage in
video tokens, Ark's error codes, and the 24-hour output URLs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from vidgen import ConfigError, UnsupportedRequest, Usage

from . import _errors
from .protocol import ContentTaskProvider, ErrorInfo, ErrorKind

if TYPE_CHECKING:
    from vidgen import Fitted

    from .protocol import Task

__all__ = ["ArkProvider", "BytePlusProvider", "VolcengineProvider"]


class ArkProvider(ContentTaskProvider):
    """Seedance video tasks on an Ark host (a subclass names the host and catalog).

    Settings:
        api_key: the key (default ``$ARK_API_KEY``).
        base_url: another API root (a proxy or relay that mirrors Ark).
        watermark: put Ark's "AI generated" watermark on the video (default False).
        models: catalog overrides from the profile.
    """

    api_key_env = "ARK_API_KEY"
    catalog_package = "vidgen_ark"
    #: The section of ``catalog.toml`` with this host's models.
    catalog_section: ClassVar[str] = ""
    create_path = "contents/generations/tasks"
    # content.video_url is a signed TOS URL valid 24 h from updated_at (X-Tos-Expires=86400).
    output_retention: ClassVar[dt.timedelta | None] = dt.timedelta(hours=24)
    variants: ClassVar[tuple[str, ...]] = ("video", "last_frame")
    reserved_options: ClassVar[frozenset[str]] = ContentTaskProvider.reserved_options | frozenset(
        {"ratio", "resolution", "duration", "frames", "seed", "generate_audio", "watermark"}
    )
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "x-client-request-id")
    max_page_size: ClassVar[int] = 500

    def __init__(self, *, watermark: bool = False, **settings: Any) -> None:
        super().__init__(**settings)
        if not isinstance(watermark, bool):
            raise ConfigError(f"{self.name}: watermark must be true or false, not {watermark!r}")
        self.watermark = watermark

    def raw_catalog(self) -> Mapping[str, Any]:
        """This host's section of the shared ``catalog.toml``."""
        section: Mapping[str, Any] = super().raw_catalog().get(self.catalog_section, {})
        return section

    # -- requests ---------------------------------------------------------------------------

    def model_id(self, fitted: Fitted) -> str:
        """The catalog id, or ``wire.t2v``/``wire.i2v`` where a model has one id per mode
        (Volcengine's Seedance 1.0 lite)."""
        wire = fitted.spec.wire
        request = fitted.request
        with_images = bool(request.reference or request.last_frame or request.references)
        key = "i2v" if with_images else "t2v"
        value = wire.get(key)
        if value is None:
            return fitted.model
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{self.name} model {fitted.spec.id}: wire.{key} must be a model id")
        return value

    def generation_fields(self, fitted: Fitted) -> dict[str, Any]:
        """``ratio``, ``resolution``, ``duration`` (integer seconds), ``watermark``, and
        ``seed`` and ``generate_audio`` where the model takes them."""
        fields: dict[str, Any] = {
            "ratio": fitted.aspect,
            "resolution": self.wire_resolution(fitted),
            "duration": fitted.seconds,
            "watermark": self.watermark,
        }
        if fitted.seed is not None:
            fields["seed"] = fitted.seed
        if fitted.spec.audio_optional and fitted.audio is not None:
            fields["generate_audio"] = fitted.audio
        return fields

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """Ark's mode rules: a last frame needs a first frame, and frames and reference
        images cannot be mixed in one task."""
        request = fitted.request
        if request.last_frame is not None and request.reference is None:
            raise UnsupportedRequest(
                f"{self.name} model {fitted.spec.id}: a last frame needs a first frame; "
                "give reference= too",
                param="last_frame",
                value="image",
                provider=self.name,
                model=fitted.spec.id,
            )
        if request.references and (request.reference or request.last_frame):
            raise UnsupportedRequest(
                f"{self.name} model {fitted.spec.id}: first/last frames and reference images "
                "cannot be mixed in one task; give either frames or references",
                param="references",
                value=len(request.references),
                provider=self.name,
                model=fitted.spec.id,
            )
        return fitted

    # -- responses ----------------------------------------------------------------------------

    def task_usage(self, task: Task) -> Usage | None:
        """The video tokens Ark billed (``usage.completion_tokens``)."""
        usage = task.usage
        if usage is None or usage.completion_tokens is None:
            return None
        tokens = int(usage.completion_tokens)
        total = int(usage.total_tokens) if usage.total_tokens is not None else tokens
        return Usage(
            tokens=tokens,
            note=f"video tokens (usage.completion_tokens; total_tokens {total}); Ark bills "
            "width x height x (24 fps x seconds + 1) / 1024 per video",
        )

    def failure_code(self, code: str | None, message: str | None) -> str:
        """``content_policy`` for moderation codes, ``server_error`` for Ark's own."""
        if _errors.is_policy(code):
            return "content_policy"
        if code == "InternalServiceError":
            return "server_error"
        return "generation_failed"

    def classify_error(self, status_code: int, info: ErrorInfo) -> ErrorKind:
        """Ark's error table by code, else the HTTP status."""
        row = _errors.lookup(info.code)
        if row is None:
            kind = super().classify_error(status_code, info)
            if status_code == 409:
                return ErrorKind(
                    error=kind.error,
                    retryable=False,
                    hint="Only a queued task can be cancelled; a running task runs to its end",
                )
            return kind
        error, retryable, hint = row
        if error.__name__ == "InvalidRequest" and info.param:
            hint = f"Fix the '{info.param}' field. {hint}"
        return ErrorKind(error=error, retryable=retryable, hint=hint)


class BytePlusProvider(ArkProvider):
    """Seedance on BytePlus ModelArk (international, ``ap-southeast``), priced in USD."""

    name = "byteplus"
    display_name = "BytePlus ModelArk (Seedance)"
    default_base_url = "https://ark.ap-southeast.bytepluses.com/api/v3"
    catalog_section = "byteplus"
    docs_url = "https://docs.byteplus.com/en/docs/ModelArk/1520757"


class VolcengineProvider(ArkProvider):
    """Seedance on Volcengine Ark (mainland China, ``cn-beijing``), priced in CNY."""

    name = "volcengine"
    display_name = "Volcengine Ark (Seedance)"
    default_base_url = "https://ark.cn-beijing.volces.com/api/v3"
    catalog_section = "volcengine"
    docs_url = "https://www.volcengine.com/docs/82379/1520757"
