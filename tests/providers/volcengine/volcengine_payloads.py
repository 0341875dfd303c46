"""Volcengine Ark's documented payloads, as Python values.

From a copy of Volcengine's Seedance API reference page (Chinese; find_string id
8647381330 in the research index, summarised in /work/research/makers.md section 1):
"verbatim" means copied from that page, "assembled" built from its schema. None of these
is a recording of the live service.
"""

from __future__ import annotations

from typing import Any

import vidgen

API = "https://ark.cn-beijing.volces.com/api/v3"
TASKS = f"{API}/contents/generations/tasks"
KEY = "ark-test-volc-0123456789abcdef"

#: The page elides the id as "cgt-2025****-****"; filled in with the documented shape.
TASK_ID = "cgt-20251212113435-x7k2p"
TASK_URL = f"{TASKS}/{TASK_ID}"
CREATED: dict[str, Any] = {"id": TASK_ID}

STORAGE_HOST = "ark-content-generation-cn-beijing.tos-cn-beijing.volces.com"
#: The page elides the object path as "****"; filled in.
VIDEO_URL = f"https://{STORAGE_HOST}/doubao-seedance-1-5-pro/cgt-20251212113435-x7k2p.mp4"

PROMPT = "小猫对着镜头打哈欠"

#: The page's request example (doubao-seedance-1-5-pro-251215), verbatim except: resolution
#: 1080p instead of 720p, to match the page's own response example below, and
#: ``generate_audio: true``, which vidgen sends explicitly (the page: default true).
CREATE_BODY: dict[str, Any] = {
    "model": "doubao-seedance-1-5-pro-251215",
    "content": [{"type": "text", "text": PROMPT}],
    "resolution": "1080p",
    "ratio": "16:9",
    "duration": 5,
    "seed": 11,
    "camera_fixed": False,
    "watermark": False,
    "generate_audio": True,
}
REQUEST = vidgen.VideoRequest(
    prompt=PROMPT,
    model="seedance-1.5-pro",
    duration=5,
    resolution="1080p",
    aspect="16:9",
    seed=11,
    provider_options={"volcengine": {"camera_fixed": False}},
)

#: The page's response example, verbatim (id and URL path filled in as above). Its 246840
#: tokens are 1920 x 1088 x 121 / 1024: a 1088-pixel height, where the same page's size
#: table gives 1.5 pro 1920x1080 at 1080p 16:9.
SUCCEEDED: dict[str, Any] = {
    "id": TASK_ID,
    "model": "doubao-seedance-1-5-pro-251215",
    "status": "succeeded",
    "content": {"video_url": VIDEO_URL},
    "usage": {"completion_tokens": 246840, "total_tokens": 246840},
    "created_at": 1765510475,
    "updated_at": 1765510559,
    "seed": 58944,
    "resolution": "1080p",
    "ratio": "16:9",
    "duration": 5,
    "framespersecond": 24,
    "generate_audio": True,
}

#: Assembled from the page's field table (status enum: queued, running, ...).
RUNNING: dict[str, Any] = {
    "id": TASK_ID,
    "model": "doubao-seedance-1-5-pro-251215",
    "status": "running",
    "created_at": 1765510475,
    "updated_at": 1765510480,
    "resolution": "1080p",
    "ratio": "16:9",
    "duration": 5,
}
