"""aivideoapi's task API, at ``/aivideoapi/v1``.

Shapes follow shared/WIRE.md section 3 and `vidgen_aivideoapi`: create answers with an
envelope ``{code, msg, data{taskId}}``; ``/tasks/{id}`` answers a bare task whose
statuses are ``pending|processing|completed|failed``; a completed task lists output URLs.
Those URLs point back at the emulator under ``/_files/aivideoapi/``, a path that takes
no key, standing for the storage host a real task API hands out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ._http import Answer, BadRequest, DropAnswer, JsonAnswer, Request
from ._jobs import JobRecord, JobState
from ._protocol import MAX_SECONDS, ErrorKind, ProtocolHandler
from ._service import new_task_id

PREFIX = "/aivideoapi/v1"
FILES = "/_files/aivideoapi/"
_TASK = re.compile(r"^/tasks/([^/]+)$")
_FILE = re.compile(r"^/_files/aivideoapi/([A-Za-z0-9-]+)/(\d+)\.mp4$")
_ASPECTS = {"16:9": (1280, 720), "9:16": (720, 1280)}
_STATUS = {
    "queued": "pending",
    "in_progress": "processing",
    "completed": "completed",
    "failed": "failed",
}
_MAX_PROMPT = 5000
_DROP = frozenset({"drop_after_submit"})

# kind -> (code, type), from the vendor's error table.
_ERRORS: Mapping[str, tuple[str, str]] = {
    "bad_json": ("invalid_request", "invalid_request_error"),
    "invalid_request": ("invalid_request", "invalid_request_error"),
    "invalid_type": ("invalid_request", "invalid_request_error"),
    "invalid_value": ("invalid_request", "invalid_request_error"),
    "missing": ("invalid_request", "invalid_request_error"),
    "unsupported": ("invalid_request", "invalid_request_error"),
    "unauthorized": ("invalid_api_key", "authentication_error"),
    "not_found": ("task_not_found", "invalid_request_error"),
    "not_ready": ("task_not_found", "invalid_request_error"),
    "rate_limit": ("rate_limit_exceeded", "rate_limit_error"),
    "server_error": ("internal_error", "api_error"),
    "expired": ("file_expired", "invalid_request_error"),
    "video_extra": ("internal_error", "api_error"),
}


class AivideoapiProtocol(ProtocolHandler):
    """aivideoapi's ``/videos/generations`` and ``/tasks/{id}``, plus its output files."""

    name: ClassVar[str] = "aivideoapi"

    def error(
        self,
        status: int,
        message: str,
        kind: ErrorKind,
        *,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JsonAnswer:
        """``{"error": {"code", "message", "type"}}`` (a 503 is the upstream's failure)."""
        code, error_type = _ERRORS[kind]
        if kind == "server_error" and status == 503:
            code, error_type = "upstream_error", "upstream_error"
        body = {"error": {"code": code, "message": message, "type": error_type}}
        return JsonAnswer(status=status, body=body, headers=dict(headers or {}))

    async def handle(self, request: Request) -> Answer | None:
        """Route the task API and the output files."""
        if request.path.startswith(FILES):
            return await self.file(request)
        if not request.path.startswith(PREFIX + "/"):
            return None
        path = request.path[len(PREFIX) :]
        denied = self.check_auth(request)
        if denied is not None:
            return denied
        if path == "/videos/generations" and request.method == "POST":
            return await self.create(request)
        match = _TASK.match(path)
        if match and request.method == "GET":
            return await self.task(match.group(1))
        return self.error(404, f"Not found: {request.method} {request.path}", "not_found")

    # -- the task object --------------------------------------------------------------------

    def file_url(self, record: JobRecord, index: int, origin: str) -> str:
        """Where output ``index`` of a task can be downloaded (no key needed)."""
        return f"{origin}{FILES}{record.id}/{index}.mp4"

    def task_body(
        self, record: JobRecord, state: JobState, origin: str | None = None
    ) -> dict[str, Any]:
        """The bare task object (also the callback body)."""
        origin = self.public_url or origin or record.origin or ""
        body: dict[str, Any] = {
            "id": record.id,
            "model": record.model,
            "status": _STATUS[state.status],
            # The vendor documents a null progress; a queued task has none yet.
            "progress": None if state.status == "queued" else state.progress,
            "created_at": int(record.created_at),
            "completed_at": int(state.completed_at) if state.completed_at is not None else None,
            "input": {
                "prompt": record.prompt,
                "duration": record.seconds,
                "aspect_ratio": record.aspect_ratio,
            },
            "output": None,
            "error": None,
        }
        if state.status == "completed":
            body["output"] = {
                "urls": [self.file_url(record, 0, origin)],
                "metadata": {"duration": record.seconds, "prompt": record.prompt},
            }
        elif state.status == "failed":
            body["error"] = {
                "code": "upstream_error",
                "message": "The upstream provider refused the prompt: content policy violation (emulated failure).",
            }
        return body

    def _find(self, task_id: str) -> JobRecord | None:
        record = self.service.jobs.get(task_id)
        return record if record is not None and record.api == "aivideoapi" else None

    # -- create -----------------------------------------------------------------------------

    def _invalid(self, message: str) -> JsonAnswer:
        return self.error(400, message, "invalid_request")

    async def create(self, request: Request) -> Answer:
        """``POST /videos/generations``."""
        service = self.service
        service.counters.submit_attempt(self.name)
        if request.content_type not in ("application/json", ""):
            return self._invalid("The request body must be JSON (Content-Type: application/json).")
        try:
            body = request.json()
        except BadRequest as exc:
            return self._invalid(f"Invalid JSON body: {exc}")
        if not isinstance(body, dict):
            return self._invalid("The request body must be a JSON object.")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return self._invalid("model is required and must be a string.")
        task_input = body.get("input")
        if not isinstance(task_input, dict):
            return self._invalid("input is required and must be an object.")
        prompt = task_input.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return self._invalid("input.prompt is required and must be a non-empty string.")
        if len(prompt) > _MAX_PROMPT:
            return self._invalid(f"input.prompt must be at most {_MAX_PROMPT} characters.")
        profile = service.profile(model)
        duration = task_input.get("duration", 8)
        if not isinstance(duration, int) or isinstance(duration, bool):
            return self._invalid("input.duration must be an integer number of seconds.")
        allowed = profile.durations
        if not 1 <= duration <= MAX_SECONDS or (allowed is not None and duration not in allowed):
            listed = ", ".join(str(d) for d in allowed) if allowed else f"1 to {MAX_SECONDS}"
            return self._invalid(f"input.duration must be one of {listed}, not {duration}.")
        aspect = task_input.get("aspect_ratio", "16:9")
        if aspect not in _ASPECTS:
            return self._invalid("input.aspect_ratio must be '16:9' or '9:16'.")
        images = task_input.get("image_urls")
        if images is not None and (
            not isinstance(images, list)
            or len(images) > 1
            or not all(isinstance(u, str) for u in images)
        ):
            return self._invalid("input.image_urls must be a list of at most 1 image URL.")
        callback = body.get("callback_url")
        if callback is not None and (
            not isinstance(callback, str) or not callback.startswith(("http://", "https://"))
        ):
            return self._invalid("callback_url must be an http(s) URL.")
        guarded = await self.guard("submit", prompt=prompt, model=model)
        if guarded is not None:
            return guarded
        width, height = _ASPECTS[aspect]
        task_id = new_task_id()
        record = service.create_job(
            job_id=task_id,
            api="aivideoapi",
            protocol=self.name,
            model=model,
            prompt=prompt,
            seconds=duration,
            width=width,
            height=height,
            outputs=(task_id,),
            callback_url=callback,
            reference=f"image_url {images[0][:200]}" if images else None,
            aspect_ratio=aspect,
            origin=self.origin(request),
        )
        envelope = {"code": 200, "msg": "success", "data": {"taskId": record.id}}
        if service.take_fault("submit", self.name, _DROP, prompt=prompt, model=model) is not None:
            return DropAnswer(body=envelope)
        return JsonAnswer(status=200, body=envelope)

    # -- read -------------------------------------------------------------------------------

    async def task(self, task_id: str) -> Answer:
        """``GET /tasks/{id}``."""
        record = self._find(task_id)
        if record is None:
            return self.error(404, f"Task {task_id} not found.", "not_found")
        self.service.counters.poll(task_id)
        guarded = await self.guard("status", prompt=record.prompt, model=record.model)
        if guarded is not None:
            return guarded
        return JsonAnswer(status=200, body=self.task_body(record, self.service.state(record)))

    async def file(self, request: Request) -> Answer:
        """``GET /_files/aivideoapi/{task}/{index}.mp4``: the storage host, no key."""
        if self.presented_key(request) or request.headers.get("api-key"):
            # A client should never send its API key to the host that serves outputs.
            self.service.counters.file_auth()
        match = _FILE.match(request.path)
        record = self._find(match.group(1)) if match else None
        if match is None or record is None or request.method not in ("GET", "HEAD"):
            return self.error(404, "No such file.", "not_found")
        if int(match.group(2)) != 0 or self.service.state(record).status != "completed":
            return self.error(404, "No such file.", "not_found")
        return await self.deliver(request, record, record.id, "video", "video/mp4")
