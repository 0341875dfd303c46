"""MiniMax's documented payloads, V2 (MiniMax-H3) and V1 (Hailuo), as Python values.

Sources (research notes /work/research/makers.md section 2): MiniMax's OpenAPI pages,
"video generation V2 (Hailuo-03)" (create, query, delete; read through a verbatim copy,
find_string ids 68709364813 and 68827085735) and the V1 video pages (create, query,
download). "Verbatim" means copied from those examples; "assembled" built from the
documented schema. None of these is a recording of the live service.
"""

from __future__ import annotations

import copy
from typing import Any

import vidgen

API = "https://api.minimax.io"
KEY = "mm-test-0123456789abcdef"

# -- V2 --------------------------------------------------------------------------------------------

V2_CREATE_URL = f"{API}/v2/video_generation"
V2_TASK_ID = "424010985738629"
V2_QUERY_URL = f"{API}/v2/query/video_generation/{V2_TASK_ID}"
V2_DELETE_URL = f"{API}/v2/video_generation/{V2_TASK_ID}"

#: "文生视频 (t2va)" request example, verbatim.
V2_PROMPT = "史诗级太空歌剧院线预告：女舰长独自站在巨大观景窗前，最后一支舰队正在集结并跃迁离去，强光爆闪、舰桥震动，她被留在原地。"
V2_CREATE_BODY: dict[str, Any] = {
    "model": "MiniMax-H3",
    "content": [{"type": "text", "text": V2_PROMPT}],
    "resolution": "2K",
    "duration": 5,
    "ratio": "16:9",
}
V2_REQUEST = vidgen.VideoRequest(
    prompt=V2_PROMPT, model="MiniMax-H3", duration=5, resolution="1440p", aspect="16:9"
)

#: "图生视频 (i2va)" request example, verbatim (ratio adaptive: the image decides).
V2_IMAGE_URL = (
    "https://cdn.hailuoai.com/prod/hailuo_demo/testsets/H3_AA_I2VA/gallery/"
    "sr_v17_variants_seed42_43_20260724/inputs/4a3a90bf9100_KDmcbkhzYo5sjjxr9FqcVmWVnzb.png"
)
V2_IMAGE_PROMPT = "Pull focus to the people in the background and add more steam to the ramen bowl."
V2_IMAGE_BODY: dict[str, Any] = {
    "model": "MiniMax-H3",
    "content": [
        {"type": "text", "text": V2_IMAGE_PROMPT},
        {"type": "image_url", "image_url": {"url": V2_IMAGE_URL}, "role": "first_frame"},
    ],
    "resolution": "2K",
    "duration": 5,
    "ratio": "adaptive",
}

#: VideoGenerationV2Resp example, verbatim.
V2_CREATED: dict[str, Any] = {"task_id": V2_TASK_ID}

STORAGE_HOST = "video-product.cdn.minimax.io"
V2_VIDEO_URL = (
    "https://video-product.cdn.minimax.io/inference_output/rollout/2026-07-27/"
    "6c68f487-4b33-48cb-8c92-1631f63f6682/output.mp4"
)
#: GetVideoGenerationV2Resp's schema example, verbatim (its content.url is on MiniMax's
#: video CDN; the "视频生成成功" example is the same task with a demo URL).
V2_SUCCEEDED: dict[str, Any] = {
    "task": {
        "id": V2_TASK_ID,
        "model": "MiniMax-H3",
        "status": "succeeded",
        "created_at": 1785125529,
        "updated_at": 1785125946,
        "content": {"url": V2_VIDEO_URL},
        "resolution": "2K",
        "duration": 5,
        "usage": {
            "total_seconds": 5,
            "input_seconds": 0,
            "output_seconds": 5,
            "input_image_count": 0,
        },
        "ratio": "16:9",
        "task_type": "generation",
    }
}

#: The "失败" (failed) example, verbatim: HTTP 200, error {code: "1026", message}.
V2_FAILED: dict[str, Any] = {
    "task": {
        "id": "424010985738630",
        "model": "MiniMax-H3",
        "status": "failed",
        "error": {"code": "1026", "message": "video description contains sensitive content"},
        "created_at": 1785125529,
        "updated_at": 1785125700,
        "resolution": "2K",
        "duration": 5,
        "usage": {
            "total_seconds": 0,
            "input_seconds": 0,
            "output_seconds": 0,
            "input_image_count": 0,
        },
        "ratio": "16:9",
        "task_type": "generation",
        "modality": "video",
    }
}


def v2_task(status: str, **changes: Any) -> dict[str, Any]:
    """The succeeded example at another status, without content or usage (assembled)."""
    task = {
        k: copy.deepcopy(v)
        for k, v in V2_SUCCEEDED["task"].items()
        if k not in ("content", "usage")
    }
    task.update(status=status, **changes)
    return {"task": task}


V2_QUEUED = v2_task("queued", updated_at=1785125529)
V2_RUNNING = v2_task("running", updated_at=1785125600)
V2_CANCELLED = v2_task("cancelled")

#: DeleteVideoGenerationV2Resp example, verbatim.
V2_DELETED: dict[str, Any] = {"task_id": V2_TASK_ID, "action": "cancelled", "status": "cancelled"}

#: A list page, ``{"items": [VideoTask...], "total": N}`` (schema of video-generation-v2-list;
#: assembled from the examples above).
V2_PAGE: dict[str, Any] = {"items": [V2_SUCCEEDED["task"], V2_FAILED["task"]], "total": 2}

V2_REQUEST_ID = "021785229015510a2c883cf675b9804d"


def v2_error(kind: str, message: str, http: str) -> dict[str, Any]:
    """The OaiError envelope of V2's Err* responses."""
    return {
        "type": "error",
        "error": {"type": kind, "message": message, "http_code": http},
        "request_id": V2_REQUEST_ID,
    }


#: V2's documented error responses (Err400 ... Err500), verbatim; the neutral class and
#: whether retrying helps.
V2_ERRORS: list[tuple[int, dict[str, Any], type[vidgen.ProviderError], bool]] = [
    (400, v2_error("bad_request_error", "invalid params, content must include a non-empty text item (prompt is required) (2013)", "400"), vidgen.InvalidRequest, False),
    (401, v2_error("authorized_error", "login fail: Please carry the API secret key in the 'Authorization' field of the request header (1004)", "401"), vidgen.AuthenticationError, False),
    (402, v2_error("insufficient_balance_error", "insufficient balance (1008)", "402"), vidgen.InsufficientCredits, False),
    (422, v2_error("unprocessable_entity_error", "video description contains sensitive content (1026)", "422"), vidgen.ContentPolicyViolation, False),
    (429, v2_error("rate_limit_error", "rate limit, please retry later (1002)", "429"), vidgen.RateLimited, True),
    (500, v2_error("server_error", "internal error (1000)", "500"), vidgen.ServerError, True),
]  # fmt: skip

# -- V1 --------------------------------------------------------------------------------------------

V1_CREATE_URL = f"{API}/v1/video_generation"
V1_TASK_ID = "106916112212032"
V1_QUERY_URL = f"{API}/v1/query/video_generation?task_id={V1_TASK_ID}"
V1_FILE_ID = "176844028768320"
V1_FILE_URL = f"{API}/v1/files/retrieve?file_id={V1_FILE_ID}"

V1_PROMPT = "A man picks up a book [Pedestal up], then reads [Static shot]."
V1_CREATE_BODY: dict[str, Any] = {
    "model": "MiniMax-Hailuo-2.3",
    "prompt": V1_PROMPT,
    "duration": 6,
    "resolution": "1080P",
}
V1_REQUEST = vidgen.VideoRequest(
    prompt=V1_PROMPT, model="hailuo-2.3", duration=6, resolution="1080p", aspect="16:9"
)

OK = {"status_code": 0, "status_msg": "success"}
#: The create example, verbatim.
V1_CREATED: dict[str, Any] = {"task_id": V1_TASK_ID, "base_resp": dict(OK)}

#: The query's Success example, verbatim except its task_id (the create example's, so that
#: one task runs through the cassettes).
V1_SUCCESS: dict[str, Any] = {
    "task_id": V1_TASK_ID,
    "status": "Success",
    "file_id": V1_FILE_ID,
    "video_width": 1920,
    "video_height": 1080,
    "base_resp": dict(OK),
}


def v1_query(status: str, **changes: Any) -> dict[str, Any]:
    """A running query: ``file_id`` empty and sizes 0 (as in bodies captured by a third
    party, 2026-02-01); assembled."""
    body = {**V1_SUCCESS, "status": status, "file_id": "", "video_width": 0, "video_height": 0}
    body.update(changes)
    return body


V1_PREPARING = v1_query("Preparing")
V1_QUEUEING = v1_query("Queueing")
V1_PROCESSING = v1_query("Processing")
V1_FAIL = v1_query(
    "Fail", base_resp={"status_code": 1027, "status_msg": "output video contains sensitive content"}
)

V1_DOWNLOAD_URL = (
    "https://video-product.cdn.minimax.io/inference_output/video/2026-11-30/"
    "106916112212032/output_aigc.mp4"
)
#: The video-download (files/retrieve) example, with its placeholders filled: the page has
#: ``"file_id": "${file_id}"``, ``"bytes": 0`` and ``"download_url": "www.downloadurl.com"``.
V1_FILE: dict[str, Any] = {
    "file": {
        "file_id": 176844028768320,
        "bytes": 5896337,
        "created_at": 1700469398,
        "filename": "output_aigc.mp4",
        "purpose": "video_generation",
        "download_url": V1_DOWNLOAD_URL,
    },
    "base_resp": dict(OK),
}
#: The server's Date on the file answer (the download URL lasts about an hour from then).
V1_FILE_DATE = "Mon, 30 Nov 2026 10:00:00 GMT"

#: A V1 callback after the challenge: the query's shape with lower-case statuses (the
#: callback_url description's sample receiver); assembled.
V1_CALLBACK: dict[str, Any] = {
    "task_id": V1_TASK_ID,
    "status": "success",
    "file_id": V1_FILE_ID,
    "base_resp": dict(OK),
}
CHALLENGE: dict[str, Any] = {"challenge": "1a3cs1j-601a-118y-ch52-o48911eabc3u"}


def base_resp(code: int, message: str) -> dict[str, Any]:
    """A V1 error: HTTP 200 with ``base_resp.status_code`` not 0."""
    return {"base_resp": {"status_code": code, "status_msg": message}}


#: base_resp codes (platform error-code page): code, message, class, retryable, the HTTP
#: status V2 gives the same code.
BASE_RESP_ROWS: list[tuple[int, str, type[vidgen.ProviderError], bool, int]] = [
    (1000, "unknown error", vidgen.ServerError, True, 500),
    (1001, "request timeout", vidgen.ServerError, True, 504),
    (1002, "rate limit", vidgen.RateLimited, True, 429),
    (1004, "authentication failed", vidgen.AuthenticationError, False, 401),
    (1008, "insufficient balance", vidgen.InsufficientCredits, False, 402),
    (1013, "internal service error", vidgen.ServerError, True, 500),
    (1026, "video description contains sensitive content", vidgen.ContentPolicyViolation, False, 422),
    (1027, "output video contains sensitive content", vidgen.ContentPolicyViolation, False, 422),
    (1039, "token limit", vidgen.RateLimited, True, 429),
    (2013, "invalid params", vidgen.InvalidRequest, False, 400),
    (2049, "invalid api key", vidgen.AuthenticationError, False, 401),
    (2061, "model not supported by your plan", vidgen.PermissionDenied, False, 403),
]  # fmt: skip
