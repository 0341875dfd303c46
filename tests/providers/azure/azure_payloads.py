"""The documented Azure OpenAI video payloads of shared/WIRE.md section 4, as Python values.

Each constant names the example it copies. Where WIRE.md gives only a schema (the list, the
error shapes), the object is filled in from that schema and the comment says so. None of
these is a recording of the live service.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import struct
import zlib
from typing import Any

import httpx

ENDPOINT = "https://example-resource.openai.azure.com"
API_ROOT = f"{ENDPOINT}/openai/v1"
KEY = "azure-test-key-0123456789abcdef"

# -- the jobs API (WIRE.md 4.2) ---------------------------------------------------------------

#: The quickstart's create response (status queued).
QUICKSTART_QUEUED: dict[str, Any] = {
    "object": "video.generation.job",
    "id": "task_01jwcet0eje35tc5jy54yjax5q",
    "status": "queued",
    "created_at": 1748469875,
    "finished_at": None,
    "expires_at": None,
    "generations": [],
    "prompt": "A cat playing piano in a jazz bar.",
    "model": "sora",
    "n_variants": 1,
    "n_seconds": 5,
    "height": 480,
    "width": 480,
    "failure_reason": None,
}

#: The succeeded job (a PyRIT unit-test fixture), verbatim.
SUCCEEDED: dict[str, Any] = {
    "object": "video.generation.job",
    "id": "task_01",
    "status": "succeeded",
    "created_at": 1743551594,
    "finished_at": 1743551606,
    "generations": [
        {
            "object": "video.generation",
            "id": "gen_01",
            "job_id": "task_01",
            "created_at": 1743551625,
            "width": 480,
            "height": 480,
            "n_seconds": 5,
            "prompt": "test_success",
        }
    ],
    "prompt": "test_success",
    "n_variants": 1,
    "n_seconds": 5,
    "height": 480,
    "width": 480,
    "failure_reason": None,
}

#: The failed job (PyRIT); WIRE.md elides its generations, so they are empty here.
FAILED: dict[str, Any] = {
    "object": "video.generation.job",
    "id": "task_02",
    "status": "failed",
    "created_at": 1743556719,
    "finished_at": 1743556734,
    "generations": [],
    "prompt": "test_failure",
    "n_variants": 1,
    "n_seconds": 5,
    "height": 480,
    "width": 480,
    "failure_reason": "output_moderation",
}

#: The spec's ``expires_at`` on the succeeded example: created_at + the documented 24 h.
SUCCEEDED_EXPIRES_AT = 1743551594 + 86_400


def job(status: str, **changes: Any) -> dict[str, Any]:
    """The succeeded example with another status (and other fields changed)."""
    body = copy.deepcopy(SUCCEEDED)
    body["status"] = status
    if status != "succeeded":
        body["finished_at"] = None
        body["generations"] = []
    body.update(changes)
    return body


def generation(gen_id: str, index: int = 0) -> dict[str, Any]:
    """A ``VideoGeneration`` of task_01 (the schema's fields, the example's values)."""
    return {
        "object": "video.generation",
        "id": gen_id,
        "job_id": "task_01",
        "created_at": 1743551625 + index,
        "width": 480,
        "height": 480,
        "n_seconds": 5,
        "prompt": "test_success",
    }


# -- the two error shapes (WIRE.md 4.2) --------------------------------------------------------


def top_level_error(
    code: str | None = "content_policy_violation",
    message: str = "Your request was rejected as a result of our safety system.",
    *,
    param: str | None = "prompt",
    inner_code: str | None = "ResponsibleAIPolicyViolation",
) -> dict[str, Any]:
    """``AzureOpenAIVideoGenerationErrorResponse``: the fields at the top level.

    The schema's properties; the values are illustrative (the schema gives only
    ``ResponsibleAIPolicyViolation`` as an ``inner_error.code``).
    """
    body: dict[str, Any] = {"code": code, "message": message, "param": param, "type": "error"}
    if inner_code is not None:
        body["inner_error"] = {
            "code": inner_code,
            "revised_prompt": None,
            "error_details": None,
        }
    return body


def wrapped_error(
    code: str | None,
    message: str,
    *,
    param: str | None = None,
    inner_code: str | None = None,
) -> dict[str, Any]:
    """``AzureErrorResponse``: ``{"error": {code, message, param, type: "error", inner_error}}``."""
    inner: dict[str, Any] = {"code": code, "message": message, "param": param, "type": "error"}
    if inner_code is not None:
        inner["inner_error"] = {"code": inner_code}
    return {"error": inner}


# -- the v1 videos path (WIRE.md 4.3) ----------------------------------------------------------

#: The Azure doc's SDK repr of a queued Sora 2 video, as the JSON it was printed from.
V1_QUEUED: dict[str, Any] = {
    "id": "video_68ff7cef76cc8190b7eab9395e936d9e",
    "completed_at": None,
    "created_at": 1761574127,
    "error": None,
    "expires_at": None,
    "model": "sora-2",
    "object": "video",
    "progress": 0,
    "remixed_from_video_id": "video_68ff61490a908190a6808139c0c753d0",
    "seconds": "8",
    "size": "1280x720",
    "status": "queued",
}


# -- images ------------------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG: enough for vidgen to read its type and size."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + crc
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"  # IEND: the file is whole
    )


def multipart_fields(request: httpx.Request) -> dict[str, tuple[str, str | None, bytes]]:
    """A multipart body as ``{name: (content type, filename, bytes)}``."""
    body = request.read()
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts[name] = (part.get_content_type(), part.get_filename(), payload)
    return parts
