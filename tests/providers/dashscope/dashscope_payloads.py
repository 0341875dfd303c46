"""DashScope's documented payloads, for the sans-IO tests, the cassettes and the conformance kit.

Where each body comes from (research notes makers.md section 5):

* ``CREATED``, ``CREATE_ERROR`` (InvalidApiKey), ``FAILED`` (InvalidParameter),
  ``EXPIRED`` (UNKNOWN) and ``R2V_SUCCEEDED``: verbatim from Model Studio's API reference
  (help.aliyun.com, reference-to-video / image-to-video pages, read through a verbatim copy);
  the ``xxxxxx`` redactions are the page's own.
* ``I2V_SUCCEEDED``: verbatim from Model Studio's image-to-video query example
  (docs.platform.qianwenai.com), the prompt omitted.
* ``RUNNING``: assembled from the query schema, with the submit and scheduled times of a
  documented example.
* ``CANCEL_REFUSED``: verbatim from a recorded fixture of cnblogs/dashscope-sdk (a .NET SDK),
  ``cancel-completed-task``.
* ``TASK_LIST``: the shape of a recorded list answer in the same SDK's fixtures
  (``list-task``), with the task made a video task.
* The other error bodies: assembled from the error-code table in the documented
  ``{request_id, code, message}`` shape; messages and request ids are made up.
"""

from __future__ import annotations

import copy
import zlib
from typing import Any

import vidgen

API = "https://dashscope-intl.aliyuncs.com/api/v1"
CREATE_URL = f"{API}/services/aigc/video-generation/video-synthesis"
OSS_HOST = "dashscope-result-sh.oss-accelerate.aliyuncs.com"
VIDEO_URL = "https://dashscope-result-sh.oss-accelerate.aliyuncs.com/xxx.mp4?Expires=xxx"
TASK_ID = "0385dc79-5ff8-4d82-bcb6-xxxxxx"

CREATED: dict[str, Any] = {
    "output": {"task_status": "PENDING", "task_id": TASK_ID},
    "request_id": "4909100c-7b5a-9f92-bfe5-xxxxxx",
}

CREATE_ERROR: dict[str, Any] = {
    "code": "InvalidApiKey",
    "message": "No API-key provided.",
    "request_id": "7438d53d-6eb8-4596-8835-xxxxxx",
}

RUNNING: dict[str, Any] = {
    "request_id": "2ca1c497-f9e0-449d-9a3f-xxxxxx",
    "output": {
        "task_id": TASK_ID,
        "task_status": "RUNNING",
        "submit_time": "2025-09-25 11:07:28.590",
        "scheduled_time": "2025-09-25 11:07:35.349",
    },
}

I2V_SUCCEEDED: dict[str, Any] = {
    "request_id": "2ca1c497-f9e0-449d-9a3f-xxxxxx",
    "output": {
        "task_id": "af6efbc0-4bef-4194-8246-xxxxxx",
        "task_status": "SUCCEEDED",
        "submit_time": "2025-09-25 11:07:28.590",
        "scheduled_time": "2025-09-25 11:07:35.349",
        "end_time": "2025-09-25 11:17:11.650",
        "orig_prompt": "...",
        "video_url": VIDEO_URL,
    },
    "usage": {
        "duration": 15,
        "input_video_duration": 0,
        "output_video_duration": 15,
        "video_count": 1,
        "SR": 720,
    },
}

R2V_SUCCEEDED: dict[str, Any] = {
    "request_id": "caa62a12-8841-41a6-8af2-xxxxxx",
    "output": {
        "task_id": "eff1443c-ccab-4676-aad3-xxxxxx",
        "task_status": "SUCCEEDED",
        "submit_time": "2025-12-16 00:25:59.869",
        "scheduled_time": "2025-12-16 00:25:59.900",
        "end_time": "2025-12-16 00:30:35.396",
        "orig_prompt": "character1在沙发上开心的看电影",
        "video_url": VIDEO_URL,
    },
    "usage": {
        "duration": 10.0,
        "size": "1280*720",
        "input_video_duration": 5,
        "output_video_duration": 5,
        "video_count": 1,
        "SR": 720,
    },
}

FAILED: dict[str, Any] = {
    "request_id": "e5d70b02-ebd3-98ce-9fe8-759d7d7b107d",
    "output": {
        "task_id": "86ecf553-d340-4e21-af6e-a0c6a421c010",
        "task_status": "FAILED",
        "code": "InvalidParameter",
        "message": "The size is not match xxxxxx",
    },
}

EXPIRED: dict[str, Any] = {
    "request_id": "a4de7c32-7057-9f82-8581-xxxxxx",
    "output": {"task_id": "502a00b1-19d9-4839-a82f-xxxxxx", "task_status": "UNKNOWN"},
}

CANCEL_REFUSED: dict[str, Any] = {
    "request_id": "4d496c94-1389-9ca9-a92a-3e732f675686",
    "code": "UnsupportedOperation",
    "message": "Failed to cancel the task, please confirm if the task is in PENDING status.",
}

TASK_LIST: dict[str, Any] = {
    "total": 1,
    "data": [
        {
            "api_key_id": "42677",
            "caller_parent_id": "1493478651020171",
            "caller_uid": "1493478651020171",
            "end_time": 1709260685184,
            "gmt_create": 1709260684485,
            "model_name": "wan2.6-t2v",
            "region": "ap-southeast-1",
            "request_id": "db5ce040-4548-9919-9a75-3385ee152335",
            "start_time": 1709260684527,
            "status": "SUCCEEDED",
            "task_id": "6075262c-b56d-4968-9abf-2a9784a90f3e",
            "user_api_unique_key": "apikey:v1:aigc:video-generation:video-synthesis:wan2.6-t2v",
        }
    ],
    "total_page": 1,
    "page_no": 1,
    "request_id": "fcb29ae5-a352-9e7b-901c-e53525376cde",
    "page_size": 20,
}


def query(status: str, task_id: str = TASK_ID, **output: Any) -> dict[str, Any]:
    """A query answer in ``status`` (PENDING, RUNNING, ...), from the documented schema."""
    base = copy.deepcopy(I2V_SUCCEEDED if status == "SUCCEEDED" else RUNNING)
    base["output"].update(task_id=task_id, task_status=status, **output)
    return base


#: The error-code table: HTTP status, code, the class vidgen raises, retryable.
ERROR_ROWS: list[tuple[int, str, type[vidgen.ProviderError], bool]] = [
    (400, "InvalidParameter", vidgen.InvalidRequest, False),
    (400, "BadRequest.EmptyInput", vidgen.InvalidRequest, False),
    (400, "InvalidURL", vidgen.InvalidRequest, False),
    (400, "DataInspectionFailed", vidgen.ContentPolicyViolation, False),
    (400, "Arrearage", vidgen.InsufficientCredits, False),
    (401, "InvalidApiKey", vidgen.AuthenticationError, False),
    (403, "AccessDenied", vidgen.PermissionDenied, False),
    (403, "Model.AccessDenied", vidgen.PermissionDenied, False),
    (403, "AllocationQuota.FreeTierOnly", vidgen.InsufficientCredits, False),
    (404, "ModelNotFound", vidgen.NotFound, False),
    (415, "BadRequest.InputDownloadFailed", vidgen.InvalidRequest, False),
    (429, "Throttling", vidgen.RateLimited, True),
    (429, "Throttling.RateQuota", vidgen.RateLimited, True),
    (429, "Throttling.AllocationQuota", vidgen.RateLimited, False),
    (429, "PrepaidBillOverdue", vidgen.InsufficientCredits, False),
    (500, "InternalError", vidgen.ServerError, True),
]


def error_body(code: str) -> dict[str, Any]:
    """An error in DashScope's documented shape."""
    if code == "InvalidApiKey":
        return dict(CREATE_ERROR)
    return {
        "request_id": f"7438d53d-0000-4000-8000-{zlib.crc32(code.encode()):012d}",
        "code": code,
        "message": f"{code}: made-up message for the test",
    }
