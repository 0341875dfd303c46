"""Azure OpenAI's video generation jobs API, at ``/openai/v1/video/generations``.

Shapes follow shared/WIRE.md section 4.2 and `vidgen_azure`: ``width``/``height``/
``n_seconds``/``n_variants`` integers, job statuses ``queued``, ``preprocessing``,
``running``, ``processing``, ``succeeded``, ``failed``, results as ``generations[]``,
content by generation id, delete answering 204, ``api-version`` on every request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ._http import Answer, BadRequest, DropAnswer, EmptyAnswer, JsonAnswer, Request, Upload
from ._jobs import JobRecord, JobState
from ._protocol import ErrorKind, Invalid, ProtocolHandler, check_dimensions
from ._service import new_id

PREFIX = "/openai/v1/video/generations"
_JOB = re.compile(r"^/jobs/([^/]+)$")
_GENERATION = re.compile(r"^/(gen_[^/]+)$")
_CONTENT = re.compile(r"^/(gen_[^/]+)/content/(video|thumbnail)$")
_API_VERSION = re.compile(r"^(preview|v1|\d{4}-\d{2}-\d{2}(-preview)?)$")
_DROP = frozenset({"drop_after_submit"})
#: Sizes the concept document lists, both orientations.
SIZES = frozenset(
    {
        (480, 480),
        (854, 480),
        (480, 854),
        (720, 720),
        (1280, 720),
        (720, 1280),
        (1080, 1080),
        (1920, 1080),
        (1080, 1920),
    }
)
_MAX_SECONDS = 20

# kind -> (code, type).
_ERRORS: Mapping[str, tuple[str, str]] = {
    "bad_json": ("BadRequest", "invalid_request_error"),
    "invalid_request": ("BadRequest", "invalid_request_error"),
    "invalid_type": ("BadRequest", "invalid_request_error"),
    "invalid_value": ("BadRequest", "invalid_request_error"),
    "missing": ("BadRequest", "invalid_request_error"),
    "unsupported": ("BadRequest", "invalid_request_error"),
    "not_ready": ("BadRequest", "invalid_request_error"),
    "unauthorized": ("401", "error"),
    "not_found": ("NotFound", "error"),
    "expired": ("NotFound", "error"),
    "rate_limit": ("429", "error"),
    "server_error": ("InternalServerError", "error"),
    "video_extra": ("NotImplemented", "error"),
}


def _max_variants(width: int, height: int) -> int:
    """The concept document's limits: 1 at 1080p, 2 at 720p, 4 below."""
    short = min(width, height)
    return 1 if short >= 1080 else 2 if short >= 720 else 4


def job_of_generation(generation_id: str) -> str:
    """The job id a generation id was made from (``gen_X_n`` belongs to ``task_X``)."""
    return "task_" + generation_id.removeprefix("gen_").rpartition("_")[0]


class AzureJobsProtocol(ProtocolHandler):
    """Azure's video generation jobs."""

    name: ClassVar[str] = "azure"
    request_id_headers: ClassVar[tuple[str, ...]] = ("apim-request-id", "x-request-id")

    def presented_key(self, request: Request) -> str | None:
        """The ``api-key`` header, else a bearer token."""
        return request.headers.get("api-key") or super().presented_key(request)

    def error(
        self,
        status: int,
        message: str,
        kind: ErrorKind,
        *,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JsonAnswer:
        """Azure's ``{"error": {code, message, param, type, inner_error}}``."""
        code, error_type = _ERRORS[kind]
        if kind == "server_error" and status == 503:
            code = "ServiceUnavailable"
        body = {
            "error": {
                "code": code,
                "message": message,
                "param": param,
                "type": error_type,
                "inner_error": None,
            }
        }
        return JsonAnswer(status=status, body=body, headers=dict(headers or {}))

    async def handle(self, request: Request) -> Answer | None:
        """Route ``/openai/v1/video/generations/...``."""
        if not (request.path == PREFIX or request.path.startswith(PREFIX + "/")):
            return None
        path = request.path[len(PREFIX) :]
        denied = self.check_auth(request)
        if denied is not None:
            return denied
        version = request.query.get("api-version")
        if version is not None and not _API_VERSION.match(version):
            return self.error(
                400,
                f"API version '{version}' is not supported; use 'preview' for video generation jobs.",
                "invalid_value",
                param="api-version",
            )
        method = request.method
        if path == "/jobs" and method == "POST":
            return await self.create(request)
        if path == "/jobs" and method == "GET":
            return await self.list(request)
        match = _JOB.match(path)
        if match and method == "GET":
            return await self.job(match.group(1))
        if match and method == "DELETE":
            return await self.delete(match.group(1))
        match = _CONTENT.match(path)
        if match and method in ("GET", "HEAD"):
            return await self.content(request, match.group(1), match.group(2))
        match = _GENERATION.match(path)
        if match and method == "GET":
            return await self.generation(match.group(1))
        return self.error(404, "Resource not found", "not_found")

    # -- objects ----------------------------------------------------------------------------

    def status(self, record: JobRecord, state: JobState) -> str:
        """Azure's name for the state: the quickstart saw queued, preprocessing, running,
        processing, succeeded; each phase here moves through its names as it goes."""
        if state.status == "queued":
            return "queued" if state.stage < 0.5 else "preprocessing"
        if state.status == "in_progress":
            return "running" if state.stage < 0.9 or record.outcome == "never" else "processing"
        return "succeeded" if state.status == "completed" else "failed"

    def generation_body(self, record: JobRecord, generation_id: str) -> dict[str, Any]:
        """A ``video.generation`` object."""
        return {
            "object": "video.generation",
            "id": generation_id,
            "job_id": record.id,
            "created_at": int(record.finishes_at),
            "width": record.width,
            "height": record.height,
            "n_seconds": record.seconds,
            "prompt": record.prompt,
        }

    def job_body(self, record: JobRecord, state: JobState) -> dict[str, Any]:
        """A ``video.generation.job`` object."""
        succeeded = state.status == "completed"
        return {
            "object": "video.generation.job",
            "id": record.id,
            "status": self.status(record, state),
            "created_at": int(record.created_at),
            "finished_at": int(state.completed_at) if state.completed_at is not None else None,
            "expires_at": int(state.expires_at) if state.expires_at is not None else None,
            "generations": [self.generation_body(record, g) for g in record.outputs]
            if succeeded
            else [],
            "prompt": record.prompt,
            "model": record.model,
            "n_variants": len(record.outputs),
            "n_seconds": record.seconds,
            "height": record.height,
            "width": record.width,
            "inpaint_items": None,
            "failure_reason": "output_moderation" if state.status == "failed" else None,
        }

    def _find(self, job_id: str) -> JobRecord | None:
        record = self.service.jobs.get(job_id)
        return record if record is not None and record.api == "azure-jobs" else None

    def _missing(self, what: str) -> JsonAnswer:
        return self.error(404, f"{what} was not found.", "not_found")

    # -- create -----------------------------------------------------------------------------

    def _fields(self, request: Request) -> tuple[dict[str, Any], list[Upload]]:
        if request.content_type == "multipart/form-data":
            fields, files = request.form()
            values: dict[str, Any] = dict(fields)
            for name in ("width", "height", "n_seconds", "n_variants"):
                if name in values:
                    text = str(values[name]).strip()
                    if not text.lstrip("-").isdigit():
                        raise Invalid(
                            f"'{name}' must be an integer, not '{text}'.", "invalid_type", name
                        )
                    values[name] = int(text)
            if "inpaint_items" in values:
                try:
                    values["inpaint_items"] = json.loads(values["inpaint_items"])
                except ValueError as exc:
                    raise Invalid(
                        "'inpaint_items' must be a JSON array.", "invalid_type", "inpaint_items"
                    ) from exc
            return values, files.get("files", [])
        if request.content_type in ("application/json", ""):
            body = request.json()
            if not isinstance(body, dict):
                raise Invalid("The request body must be a JSON object.", "bad_json")
            return body, []
        raise Invalid(f"Unsupported content type '{request.content_type}'.", "unsupported")

    @staticmethod
    def _integer(fields: Mapping[str, Any], name: str, default: int | None) -> int:
        value = fields.get(name, default)
        if value is None:
            raise Invalid(f"Missing required parameter '{name}'.", "missing", name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise Invalid(f"'{name}' must be an integer.", "invalid_type", name)
        return value

    def _check_uploads(self, fields: Mapping[str, Any], uploads: list[Upload]) -> str | None:
        items = fields.get("inpaint_items")
        if items is None:
            return None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise Invalid(
                "'inpaint_items' must be an array of objects.", "invalid_type", "inpaint_items"
            )
        names = {upload.filename for upload in uploads}
        for item in items:
            if item.get("file_name") not in names:
                raise Invalid(
                    f"inpaint item file_name '{item.get('file_name')}' matches no uploaded file.",
                    "invalid_value",
                    "inpaint_items",
                )
        return ", ".join(f"{u.filename} ({u.content_type}, {len(u.data)} bytes)" for u in uploads)

    async def create(self, request: Request) -> Answer:
        """``POST /jobs``: JSON, or multipart with ``files`` and ``inpaint_items``."""
        service = self.service
        service.counters.submit_attempt(self.name)
        try:
            fields, uploads = self._fields(request)
            prompt = fields.get("prompt")
            if not isinstance(prompt, str) or not prompt.strip():
                raise Invalid("Missing required parameter 'prompt'.", "missing", "prompt")
            model = fields.get("model")
            if not isinstance(model, str) or not model:
                raise Invalid(
                    "Missing required parameter 'model' (the deployment name).", "missing", "model"
                )
            profile = service.profile(model)
            width = self._integer(fields, "width", None)
            height = self._integer(fields, "height", None)
            check_dimensions(width, height, "width")
            if profile.sizes is not None:
                if f"{width}x{height}" not in profile.sizes:
                    raise Invalid(
                        f"The size {width}x{height} is not supported by {model}.", param="width"
                    )
            elif (width, height) not in SIZES:
                raise Invalid(
                    f"The size {width}x{height} is not supported. Supported sizes: 480x480, "
                    "854x480, 720x720, 1280x720, 1080x1080 and 1920x1080, in both orientations.",
                    param="width",
                )
            seconds = self._integer(fields, "n_seconds", 5)
            allowed = profile.durations
            if not 1 <= seconds <= _MAX_SECONDS or (allowed is not None and seconds not in allowed):
                raise Invalid(
                    f"n_seconds must be between 1 and {_MAX_SECONDS}, not {seconds}.",
                    param="n_seconds",
                )
            variants = self._integer(fields, "n_variants", 1)
            most = _max_variants(width, height)
            if not 1 <= variants <= most:
                raise Invalid(
                    f"n_variants must be between 1 and {most} at {width}x{height}, not {variants}.",
                    param="n_variants",
                )
            reference = self._check_uploads(fields, uploads)
        except Invalid as invalid:
            return self.error(400, invalid.message, invalid.kind, param=invalid.param)
        except BadRequest as exc:
            return self.error(400, f"The request body could not be read: {exc}", "bad_json")
        guarded = await self.guard("submit", prompt=prompt, model=model)
        if guarded is not None:
            return guarded
        job_id = new_id("task_")
        record = service.create_job(
            job_id=job_id,
            api="azure-jobs",
            protocol=self.name,
            model=model,
            prompt=prompt,
            seconds=seconds,
            width=width,
            height=height,
            outputs=tuple(f"gen_{job_id.removeprefix('task_')}_{n}" for n in range(variants)),
            reference=reference,
            origin=self.origin(request),
        )
        body = self.job_body(record, service.state(record))
        if service.take_fault("submit", self.name, _DROP, prompt=prompt, model=model) is not None:
            return DropAnswer(body=body)
        return JsonAnswer(status=200, body=body)

    # -- read -------------------------------------------------------------------------------

    async def job(self, job_id: str) -> Answer:
        """``GET /jobs/{id}``."""
        record = self._find(job_id)
        if record is None:
            return self._missing(f"Job {job_id}")
        self.service.counters.poll(job_id)
        guarded = await self.guard("status", prompt=record.prompt, model=record.model)
        if guarded is not None:
            return guarded
        return JsonAnswer(status=200, body=self.job_body(record, self.service.state(record)))

    async def list(self, request: Request) -> Answer:
        """``GET /jobs?limit=&after=&before=&statuses=``, newest first."""
        self.service.counters.listed()
        guarded = await self.guard("list")
        if guarded is not None:
            return guarded
        limit_text = request.query.get("limit", "20")
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= 100:
            return self.error(
                400, "limit must be an integer from 1 to 100.", "invalid_value", param="limit"
            )
        records = [r for r in self.service.jobs.all() if r.api == "azure-jobs"]
        records.reverse()
        statuses = {s.strip() for s in request.query.get("statuses", "").split(",") if s.strip()}
        if statuses:
            records = [r for r in records if self.status(r, self.service.state(r)) in statuses]
        ids = [r.id for r in records]
        after, before = request.query.get("after"), request.query.get("before")
        if after:
            records = records[ids.index(after) + 1 :] if after in ids else []
        elif before:
            records = records[: ids.index(before)] if before in ids else []
        limit = int(limit_text)
        page = records[:limit]
        data = [self.job_body(r, self.service.state(r)) for r in page]
        return JsonAnswer(
            status=200,
            body={
                "object": "list",
                "data": data,
                "has_more": len(records) > limit,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
            },
        )

    async def delete(self, job_id: str) -> Answer:
        """``DELETE /jobs/{id}``: 204."""
        record = self._find(job_id)
        if record is None:
            return self._missing(f"Job {job_id}")
        self.service.counters.deleted()
        guarded = await self.guard("delete", prompt=record.prompt, model=record.model)
        if guarded is not None:
            return guarded
        self.service.delete(record)
        return EmptyAnswer(status=204)

    def _generation_job(self, generation_id: str) -> JobRecord | None:
        record = self.service.jobs.by_output(generation_id, job_of_generation(generation_id))
        if record is None or record.api != "azure-jobs":
            return None
        return record

    async def generation(self, generation_id: str) -> Answer:
        """``GET /{generation_id}``."""
        record = self._generation_job(generation_id)
        if record is None or self.service.state(record).status != "completed":
            return self._missing(f"Generation {generation_id}")
        return JsonAnswer(status=200, body=self.generation_body(record, generation_id))

    async def content(self, request: Request, generation_id: str, variant: str) -> Answer:
        """``GET|HEAD /{generation_id}/content/video|thumbnail``."""
        record = self._generation_job(generation_id)
        if record is None:
            return self._missing(f"Generation {generation_id}")
        quality = request.query.get("quality")
        if quality is not None and quality not in ("high", "low"):
            return self.error(
                400, "quality must be 'high' or 'low'.", "invalid_value", param="quality"
            )
        if self.service.state(record).status != "completed":
            self.service.counters.content(record.id, request.headers.get("range"))
            return self.error(400, f"Job {record.id} has not succeeded.", "not_ready")
        if variant == "thumbnail":
            return await self.deliver(request, record, generation_id, "thumbnail", "image/jpg")
        return await self.deliver(request, record, generation_id, "video", "video/mp4")
