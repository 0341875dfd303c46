"""A minimal provider for an imaginary JSON task API at api.example.invalid."""

from __future__ import annotations

from typing import Any

import httpx

from vidgen import Fitted, Job, JobStatus, Output, ProtocolError
from vidgen.provider import Provider, quote_segment, read_json

_STATES = {
    "waiting": JobStatus.QUEUED,
    "working": JobStatus.RUNNING,
    "done": JobStatus.SUCCEEDED,
    "error": JobStatus.FAILED,
}


class ExampleProvider(Provider):
    """``POST /tasks`` to create, ``GET /tasks/{id}`` to poll, ``GET /tasks/{id}/video``."""

    name = "example"
    display_name = "Example"
    api_key_env = "EXAMPLE_API_KEY"
    default_base_url = "https://api.example.invalid/v1"
    catalog_package = "vidgen_example"

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        body = {
            "model": fitted.model,
            "prompt": fitted.request.prompt,
            "seconds": fitted.seconds,
            "size": fitted.size,
        }
        return httpx.Request("POST", self.url("tasks"), headers=self.headers(), json=body)

    def parse_submit(self, response: httpx.Response) -> Job:
        self.raise_for_error(response)
        return self._job(read_json(response, provider=self.name))

    def build_status(self, job: Job) -> httpx.Request:
        return httpx.Request(
            "GET", self.url(f"tasks/{quote_segment(job.id)}"), headers=self.headers()
        )

    def parse_status(self, response: httpx.Response) -> Job:
        self.raise_for_error(response)
        return self._job(read_json(response, provider=self.name))

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        return httpx.Request(
            "GET", self.url(f"tasks/{quote_segment(job.id)}/video"), headers=self.headers()
        )

    def _job(self, data: Any) -> Job:
        if not isinstance(data, dict) or not data.get("task_id"):
            raise ProtocolError(
                f"{self.name} sent a task without an id", provider=self.name, body=data
            )
        status = _STATES.get(str(data.get("state")), JobStatus.UNKNOWN)
        task_id = data["task_id"]
        try:  # the id comes from the server: a vidgen error, never a crash, if it is junk
            outputs = (Output(ref=str(task_id)),) if status is JobStatus.SUCCEEDED else ()
            return Job(id=task_id, provider=self.name, status=status, outputs=outputs, raw=data)
        except (TypeError, ValueError) as exc:
            raise ProtocolError(
                f"{self.name} sent an unusable task id: {exc}", provider=self.name, body=data
            ) from exc
