"""OpenAI's Videos API (``/v1/videos``), and Azure's copy of it at ``/openai/v1/videos``.

Shapes follow shared/WIRE.md section 1 and what `vidgen_openai` and the official ``openai``
SDK read: create as JSON or multipart, ``seconds`` a string, ``size`` ``WxH``, a video
object with ``status`` ``queued|in_progress|completed|failed``, ``openai-poll-after-ms``
on retrieve, ``{"error": {message, type, param, code}}`` on errors.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any, ClassVar, cast

from ._http import Answer, BadRequest, DropAnswer, JsonAnswer, Request, Upload
from ._jobs import JobRecord, JobState
from ._protocol import MAX_SECONDS, ErrorKind, Invalid, ProtocolHandler, parse_size
from ._renders import Variant
from ._service import new_id

_VIDEO = re.compile(r"^/videos/([^/]+)$")
_CONTENT = re.compile(r"^/videos/([^/]+)/content$")
_VARIANTS = {
    "video": ("video/mp4", "JPEG"),
    "thumbnail": ("image/webp", "WEBP"),
    "spritesheet": ("image/jpeg", "JPEG"),
}
_DROP = frozenset({"drop_after_submit"})
_MAX_PROMPT = 32_000
_REFERENCE_TYPES = ("image/jpeg", "image/png", "image/webp")

# kind -> (type, code) of OpenAI's error object.
_ERRORS: Mapping[str, tuple[str, str | None]] = {
    "bad_json": ("invalid_request_error", None),
    "invalid_request": ("invalid_request_error", None),
    "invalid_type": ("invalid_request_error", "invalid_type"),
    "invalid_value": ("invalid_request_error", "invalid_value"),
    "missing": ("invalid_request_error", "missing_required_parameter"),
    "unauthorized": ("invalid_request_error", "invalid_api_key"),
    "not_found": ("invalid_request_error", None),
    "not_ready": ("invalid_request_error", "video_not_ready"),
    "rate_limit": ("requests", "rate_limit_exceeded"),
    "server_error": ("server_error", None),
    "expired": ("invalid_request_error", "video_expired"),
    "unsupported": ("invalid_request_error", None),
    "video_extra": ("server_error", "video_extra_missing"),
}


def _listing(values: tuple[object, ...] | list[object], conjunction: str) -> str:
    """``'4', '8', or '12'``: quoted values, as OpenAI's messages list them."""
    quoted = [f"'{value}'" for value in values]
    if len(quoted) <= 2:
        return f" {conjunction} ".join(quoted)
    return ", ".join(quoted[:-1]) + f", {conjunction} " + quoted[-1]


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "an array"
    return "a string" if isinstance(value, str) else "null"


class VideosProtocol(ProtocolHandler):
    """OpenAI's ``/v1/videos``."""

    name: ClassVar[str] = "openai"
    prefix: ClassVar[str] = "/v1"
    api: ClassVar[str] = "videos"

    def error(
        self,
        status: int,
        message: str,
        kind: ErrorKind,
        *,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JsonAnswer:
        """``{"error": {"message", "type", "param", "code"}}``."""
        error_type, code = _ERRORS[kind]
        body = {"error": {"message": message, "type": error_type, "param": param, "code": code}}
        return JsonAnswer(status=status, body=body, headers=dict(headers or {}))

    async def handle(self, request: Request) -> Answer | None:
        """Route ``{prefix}/videos...``."""
        if not request.path.startswith(self.prefix + "/videos"):
            return None
        path = request.path[len(self.prefix) :]
        denied = self.check_auth(request)
        if denied is not None:
            return denied
        method = request.method
        if path == "/videos" and method == "POST":
            return await self.create(request)
        if path == "/videos" and method == "GET":
            return await self.list(request)
        match = _CONTENT.match(path)
        if match and method in ("GET", "HEAD"):
            return await self.content(request, match.group(1))
        match = _VIDEO.match(path)
        if match and method == "GET":
            return await self.retrieve(match.group(1))
        if match and method == "DELETE":
            return await self.delete(match.group(1))
        return self.error(404, f"Invalid URL ({method} {request.path})", "not_found")

    # -- the video object -------------------------------------------------------------------

    def video(self, record: JobRecord, state: JobState) -> dict[str, Any]:
        """The video object of a job in a state."""
        error = None
        if state.status == "failed":
            error = {
                "code": "moderation_blocked",
                "message": "Your request was blocked by our moderation system (emulated failure).",
            }
        return {
            "id": record.id,
            "object": "video",
            "created_at": int(record.created_at),
            "status": state.status,
            "model": record.model,
            "progress": state.progress,
            "prompt": record.prompt,
            "seconds": str(record.seconds),
            "size": f"{record.width}x{record.height}",
            "quality": "standard",
            "completed_at": int(state.completed_at)
            if state.status == "completed" and state.completed_at
            else None,
            "expires_at": int(state.expires_at) if state.expires_at is not None else None,
            "remixed_from_video_id": None,
            "error": error,
        }

    def _find(self, video_id: str) -> JobRecord | None:
        record = self.service.jobs.get(video_id)
        if record is None or record.api != self.api or record.protocol != self.name:
            return None
        return record

    def _missing(self, video_id: str) -> JsonAnswer:
        return self.error(
            404, f"Video with id '{video_id}' not found.", "not_found", param="video_id"
        )

    # -- create -----------------------------------------------------------------------------

    def _fields(self, request: Request) -> tuple[dict[str, Any], list[Upload]]:
        """The create fields and the uploaded reference, from JSON or a form."""
        if request.content_type == "multipart/form-data":
            fields, files = request.form()
            return dict(fields), files.get("input_reference", [])
        if request.content_type in ("application/json", ""):
            body = request.json()
            if not isinstance(body, dict):
                raise Invalid(
                    "We could not parse the JSON body of your request: expected an object.",
                    "bad_json",
                )
            return body, []
        raise Invalid(
            f"Unsupported content type: '{request.content_type}'. This API method only accepts "
            "'application/json' and 'multipart/form-data' requests.",
            "unsupported",
        )

    def _string(self, fields: Mapping[str, Any], name: str, default: str | None) -> str | None:
        value = fields.get(name, default)
        if value is None:
            return None
        if not isinstance(value, str):
            raise Invalid(
                f"Invalid type for '{name}': expected a string, but got {_type_name(value)} instead.",
                "invalid_type",
                name,
            )
        return value

    def _seconds(self, fields: Mapping[str, Any], allowed: tuple[int, ...] | None) -> int:
        value = fields.get("seconds", "4")
        choices = allowed or (4, 8, 12)
        if not isinstance(value, str):
            # OpenAI's own words: the API takes seconds as a string only.
            raise Invalid(
                f"Invalid type for 'seconds': expected one of {_listing(choices, 'or')}, but got "
                f"{_type_name(value)} instead.",
                "invalid_type",
                "seconds",
            )
        text = value.strip()
        seconds = int(text) if text.isdigit() else 0
        if not 1 <= seconds <= MAX_SECONDS or (allowed is not None and seconds not in allowed):
            raise Invalid(
                f"Invalid value: '{value}'. Supported values are: {_listing(choices, 'and')}.",
                "invalid_value",
                "seconds",
            )
        return seconds

    def _reference(
        self, fields: Mapping[str, Any], uploads: list[Upload], width: int, height: int
    ) -> str | None:
        if uploads:
            upload = uploads[0]
            if upload.content_type.split(";")[0].strip().lower() not in _REFERENCE_TYPES:
                raise Invalid(
                    f"Invalid file type for 'input_reference': {upload.content_type}. Supported "
                    "types are image/jpeg, image/png and image/webp.",
                    "invalid_value",
                    "input_reference",
                )
            size = _image_size(upload.data)
            if size is not None and size != (width, height):
                # The real error for a reference of the wrong size (param and code are null).
                raise _SizeMismatch()
            return f"file {upload.filename or 'input_reference'} ({upload.content_type}, {len(upload.data)} bytes)"
        value = fields.get("input_reference")
        if value is None:
            return None
        if not isinstance(value, dict):
            raise Invalid(
                f"Invalid type for 'input_reference': expected an object, but got {_type_name(value)} instead.",
                "invalid_type",
                "input_reference",
            )
        given = [key for key in ("image_url", "file_id") if value.get(key)]
        if len(given) != 1 or not isinstance(value[given[0]], str):
            raise Invalid(
                "Invalid value for 'input_reference': give exactly one of 'image_url' or 'file_id'.",
                "invalid_value",
                "input_reference",
            )
        return f"{given[0]} {value[given[0]][:200]}"

    async def create(self, request: Request) -> Answer:
        """``POST /videos``."""
        service = self.service
        service.counters.submit_attempt(self.name)
        try:
            fields, uploads = self._fields(request)
            prompt = self._string(fields, "prompt", None)
            if not prompt:
                raise Invalid("Missing required parameter: 'prompt'.", "missing", "prompt")
            if len(prompt) > _MAX_PROMPT:
                raise Invalid(
                    f"Invalid 'prompt': string too long. Expected a string with maximum length "
                    f"{_MAX_PROMPT}, but got a string with length {len(prompt)} instead.",
                    "invalid_value",
                    "prompt",
                )
            model = self._string(fields, "model", "sora-2") or "sora-2"
            profile = service.profile(model)
            seconds = self._seconds(fields, profile.durations)
            size = self._string(fields, "size", "720x1280") or "720x1280"
            width, height = parse_size(size)
            if profile.sizes is not None and size not in profile.sizes:
                listed = _listing(profile.sizes, "and")
                raise Invalid(
                    f"Invalid value: '{size}'. Supported values are: {listed}.", param="size"
                )
            reference = self._reference(fields, uploads, width, height)
        except _SizeMismatch:
            return self.error(
                400, "Inpaint image must match the requested width and height", "invalid_request"
            )
        except Invalid as invalid:
            return self.error(400, invalid.message, invalid.kind, param=invalid.param)
        except BadRequest as exc:
            return self.error(
                400, f"We could not parse the body of your request: {exc}", "bad_json"
            )
        guarded = await self.guard("submit", prompt=prompt, model=model)
        if guarded is not None:
            return guarded
        video_id = new_id("video_")
        record = service.create_job(
            job_id=video_id,
            api=self.api,
            protocol=self.name,
            model=model,
            prompt=prompt,
            seconds=seconds,
            width=width,
            height=height,
            outputs=(video_id,),
            reference=reference,
            origin=self.origin(request),
        )
        body = self.video(record, service.state(record))
        if service.take_fault("submit", self.name, _DROP, prompt=prompt, model=model) is not None:
            return DropAnswer(body=body)
        return JsonAnswer(status=200, body=body)

    # -- read -------------------------------------------------------------------------------

    async def retrieve(self, video_id: str) -> Answer:
        """``GET /videos/{id}``, with ``openai-poll-after-ms``."""
        record = self._find(video_id)
        if record is None:
            return self._missing(video_id)
        self.service.counters.poll(video_id)
        guarded = await self.guard("status", prompt=record.prompt, model=record.model)
        if guarded is not None:
            return guarded
        state = self.service.state(record)
        return JsonAnswer(
            status=200,
            body=self.video(record, state),
            headers={"openai-poll-after-ms": str(self.service.poll_after_ms())},
        )

    async def list(self, request: Request) -> Answer:
        """``GET /videos?limit=&order=&after=``."""
        self.service.counters.listed()
        guarded = await self.guard("list")
        if guarded is not None:
            return guarded
        limit_text = request.query.get("limit", "20")
        order = request.query.get("order", "desc")
        if not limit_text.isdigit() or not 0 <= int(limit_text) <= 100:
            return self.error(
                400,
                f"Invalid value: '{limit_text}'. 'limit' must be an integer from 0 to 100.",
                "invalid_value",
                param="limit",
            )
        if order not in ("asc", "desc"):
            return self.error(
                400,
                f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.",
                "invalid_value",
                param="order",
            )
        records = [
            r for r in self.service.jobs.all() if r.api == self.api and r.protocol == self.name
        ]
        if order == "desc":
            records.reverse()
        after = request.query.get("after")
        if after:
            ids = [r.id for r in records]
            records = records[ids.index(after) + 1 :] if after in ids else []
        limit = int(limit_text)
        page = records[:limit]
        data = [self.video(r, self.service.state(r)) for r in page]
        return JsonAnswer(
            status=200,
            body={
                "object": "list",
                "data": data,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
                "has_more": len(records) > limit,
            },
        )

    async def delete(self, video_id: str) -> Answer:
        """``DELETE /videos/{id}``."""
        record = self._find(video_id)
        if record is None:
            return self._missing(video_id)
        self.service.counters.deleted()
        guarded = await self.guard("delete", prompt=record.prompt, model=record.model)
        if guarded is not None:
            return guarded
        self.service.delete(record)
        return JsonAnswer(
            status=200, body={"id": video_id, "object": "video.deleted", "deleted": True}
        )

    async def content(self, request: Request, video_id: str) -> Answer:
        """``GET /videos/{id}/content?variant=video|thumbnail|spritesheet``."""
        record = self._find(video_id)
        if record is None:
            return self._missing(video_id)
        variant = request.query.get("variant", "video")
        if variant not in _VARIANTS:
            return self.error(
                400,
                f"Invalid value: '{variant}'. Supported values are: {_listing(list(_VARIANTS), 'and')}.",
                "invalid_value",
                param="variant",
            )
        state = self.service.state(record)
        if state.status != "completed":
            self.service.counters.content(record.id, request.headers.get("range"))
            return self.error(
                400,
                f"Video '{video_id}' is not ready: its status is {state.status}.",
                "not_ready",
            )
        content_type, image_format = _VARIANTS[variant]
        return await self.deliver(
            request, record, record.id, cast(Variant, variant), content_type, image_format
        )


class AzureVideosProtocol(VideosProtocol):
    """Azure's OpenAI-compatible ``/openai/v1/videos``: the same shapes, Azure's auth."""

    name: ClassVar[str] = "azure"
    prefix: ClassVar[str] = "/openai/v1"
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "apim-request-id")

    def presented_key(self, request: Request) -> str | None:
        """The ``api-key`` header, else a bearer token."""
        return request.headers.get("api-key") or super().presented_key(request)


class _SizeMismatch(Exception):
    pass


def _image_size(data: bytes) -> tuple[int, int] | None:
    """The size of an uploaded image, when Pillow can read it (None without Pillow)."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            return int(width), int(height)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
