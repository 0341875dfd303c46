"""Kling's documented payloads, for the sans-IO tests, the cassettes and the conformance kit.

Where each body comes from:

* ``CREATED``: verbatim, a live create answer logged on 2026-03-29 (a third party's log,
  research notes makers.md section 4.4); its request carried the external_task_id shown.
* ``ERROR_1303``: verbatim, Kling's API reference ("Concurrency Rules").
* The other error bodies: assembled from the reference's error table (HTTP status, code and
  the table's explanation as the message) in the documented ``{code, message, request_id}``
  shape; the request ids are made up.
* Task states (``task(...)``): assembled from the reference's "Query Task (Single)" schema;
  the video URL and its "5.1" duration are verbatim from a relay's documented succeed
  example, and ``final_unit_deduction`` is a figure chosen for the tests (Kling publishes
  no per-model unit table).
* ``CALLBACK``: assembled from the reference's "Callback Protocol" (the task, unwrapped).
"""

from __future__ import annotations

import copy
from typing import Any

import vidgen

API = "https://api-singapore.klingai.com"
CDN_HOST = "cdn.klingai.com"
TASK_ID = "867283741759111202"
EXTERNAL_ID = "text2video_kling_v3_final-1774805076"
CREATED_MS = 1774805076166
DONE_MS = CREATED_MS + 96_000
VIDEO_URL = (
    "https://cdn.klingai.com/bs2/upload-kling-api/9575341070/text2video/"
    "CmYgjmbyMToAAAAAADUuvA-0_raw_video_1.mp4"
)
I2V_TASK_ID = "867283741759115555"
I2V_VIDEO_URL = (
    "https://cdn.klingai.com/bs2/upload-kling-api/9575341070/image2video/"
    "CmYgjmbyMToAAAAAADUuvB-0_raw_video_1.mp4"
)

#: The reference's text2video example prompt (its cURL), used for the text-to-video tests.
RABBIT = (
    "A cute little rabbit wearing glasses, sitting at a table, reading a newspaper, "
    "with a cup of cappuccino on the table"
)

CREATED: dict[str, Any] = {
    "code": 0,
    "message": "SUCCEED",
    "request_id": "c0656403-1e6e-4b7e-b8f8-2cdd2595f2b9",
    "data": {
        "task_id": TASK_ID,
        "task_status": "submitted",
        "task_info": {"external_task_id": EXTERNAL_ID},
        "created_at": CREATED_MS,
        "updated_at": CREATED_MS,
    },
}

#: The text2video create body vidgen sends for the logged create (its fields, plus sound).
T2V_BODY: dict[str, Any] = {
    "model_name": "kling-v3",
    "mode": "std",
    "prompt": RABBIT,
    "duration": "5",
    "aspect_ratio": "16:9",
    "sound": "off",
    "external_task_id": EXTERNAL_ID,
}

#: The reference's image2video cURL example, verbatim but for its empty strings.
I2V_BODY: dict[str, Any] = {
    "model_name": "kling-v2-6",
    "mode": "pro",
    "prompt": "Camera zooms out, the girl smiles",
    "duration": "5",
    "image": "https://p2-kling.klingai.com/kcdn/cdn-kcdn112452/kling-qa-test/multi-2.png",
    "image_tail": "https://p2-kling.klingai.com/kcdn/cdn-kcdn112452/kling-qa-test/multi-1.png",
    "sound": "off",
}


def task(
    status: str,
    *,
    task_id: str = TASK_ID,
    external: str | None = EXTERNAL_ID,
    url: str = VIDEO_URL,
    message: str = "",
    units: str | None = "3",
    updated: int = DONE_MS,
) -> dict[str, Any]:
    """A task in ``status``, as the query's ``data`` (and a callback's body)."""
    data: dict[str, Any] = {
        "task_id": task_id,
        "task_status": status,
        "task_status_msg": message,
        "task_info": {"external_task_id": external} if external else {},
        "created_at": CREATED_MS,
        "updated_at": updated if status in ("succeed", "failed") else CREATED_MS + 30_000,
    }
    if status == "succeed":
        data["task_result"] = {
            "videos": [
                {"id": "b39fd23a-58fb-4ca7-8f99-20d98f06639d", "url": url, "duration": "5.1"}
            ]
        }
        data["watermark_info"] = {"enabled": False}
    if units is not None and status in ("succeed", "failed"):
        data["final_unit_deduction"] = units if status == "succeed" else "0"
    return data


def envelope(data: Any, request_id: str = "5c1e0c6e-8d3a-4d5f-9d0a-0a1b2c3d4e5f") -> dict[str, Any]:
    """``data`` in Kling's success envelope."""
    return {"code": 0, "message": "SUCCEED", "request_id": request_id, "data": copy.deepcopy(data)}


SUBMITTED = envelope(task("submitted"))
PROCESSING = envelope(task("processing"))
SUCCEEDED = envelope(task("succeed"))
#: The failure reason Kling's reference gives as its example, as a message (wording made up).
POLICY_MESSAGE = "Failure to pass the risk control system: the content triggered the platform's content risk control"
FAILED = envelope(task("failed", message=POLICY_MESSAGE))

ERROR_1303: dict[str, Any] = {
    "code": 1303,
    "message": "parallel task over resource pack limit",
    "request_id": "9984d27b-a408-4073-ae28-17ca6a13622d",
}

#: Kling's error table: HTTP status, code, the class vidgen raises, retryable, message.
ERROR_ROWS: list[tuple[int, int, type[vidgen.ProviderError], bool, str]] = [
    (401, 1000, vidgen.AuthenticationError, False, "Authentication failed"),
    (401, 1001, vidgen.AuthenticationError, False, "Authorization is empty"),
    (401, 1002, vidgen.AuthenticationError, False, "Authorization is invalid"),
    (401, 1003, vidgen.AuthenticationError, False, "Authorization is not yet valid"),
    (401, 1004, vidgen.AuthenticationError, False, "Authorization has expired"),
    (429, 1100, vidgen.PermissionDenied, False, "Account exception"),
    (429, 1101, vidgen.InsufficientCredits, False, "Account in arrears (postpaid scenario)"),
    (
        429,
        1102,
        vidgen.InsufficientCredits,
        False,
        "Resource pack depleted or expired (prepaid scenario)",
    ),
    (
        403,
        1103,
        vidgen.PermissionDenied,
        False,
        "Unauthorized access to requested resource, such as API/model",
    ),
    (400, 1200, vidgen.InvalidRequest, False, "Invalid request parameters"),
    (
        400,
        1201,
        vidgen.InvalidRequest,
        False,
        "Invalid parameters, such as incorrect key or illegal value",
    ),
    (404, 1202, vidgen.InvalidRequest, False, "The requested method is invalid"),
    (
        404,
        1203,
        vidgen.NotFound,
        False,
        "The requested resource does not exist, such as the model",
    ),
    (400, 1300, vidgen.PermissionDenied, False, "Trigger strategy of the platform"),
    (
        400,
        1301,
        vidgen.ContentPolicyViolation,
        False,
        "Trigger the content security policy of the platform",
    ),
    (
        429,
        1302,
        vidgen.RateLimited,
        True,
        "The API request is too fast, exceeding the platform's rate limit",
    ),
    (429, 1303, vidgen.RateLimited, True, "parallel task over resource pack limit"),
    (429, 1304, vidgen.PermissionDenied, False, "Trigger the platform's IP whitelisting policy"),
    (500, 5000, vidgen.ServerError, True, "Server internal error"),
    (
        503,
        5001,
        vidgen.ServerError,
        True,
        "Server temporarily unavailable, usually due to maintenance",
    ),
    (504, 5002, vidgen.ServerError, True, "Server internal timeout, usually due to a backlog"),
]


def error_body(code: int, message: str) -> dict[str, Any]:
    """An error in Kling's documented shape."""
    if code == 1303:
        return dict(ERROR_1303)
    return {
        "code": code,
        "message": message,
        "request_id": f"0a1b2c3d-0000-4000-8000-00000000{code}",
    }


#: A callback body (Callback Protocol): the task, with the external id vidgen set.
def callback(status: str, external: str | None, *, task_id: str = TASK_ID) -> dict[str, Any]:
    """What Kling POSTs to a callback_url when the task changes state."""
    data = task(status, task_id=task_id, external=external)
    data["task_info"] = {"parent_video": None, **data["task_info"]}
    data.setdefault("task_result", {"images": [], "videos": []})
    return data
