"""Google's documented payloads for the ``google`` and ``google-vertex`` tests, as Python values.

None of these is a recording of the live service (no Google key was used). Each says
where it comes from and whether it is verbatim or assembled:

* Veo on the Gemini API (``:predictLongRunning``, operations): shapes from vercel/ai
  ``packages/google/src/google-video-model.ts`` and TanStack AI's Gemini adapter,
  summarised in the maintainers' WIRE-LIVE.md section 1a and hosts.md section 3.1; the
  finished operation's ``generatedSamples[].video.uri`` form follows a relay's copy of
  Google's example (docs.gptproto.com, "Query Task"). Operation ids, file ids and
  timestamps are made up.
* Veo on Vertex AI (``:fetchPredictOperation``): Google's reference page
  (cloud.google.com/vertex-ai/generative-ai/docs/model-reference/veo-video-generation)
  for the request, vercel/ai ``google-vertex-video-model.ts`` for the answer
  (``response.videos[]`` with ``gcsUri`` or ``bytesBase64Encoded``).
* Gemini Omni on the Interactions API: TanStack AI's Gemini video adapter (commit of
  2026-07 and later: ``steps[type=model_output].content[type=video]``, usage by
  modality), the Interactions API's SDK types (googleapis/python-genai
  ``_interactions/types``) and Google's Interactions docs (``id``/``steps`` example),
  assembled; the token count is 8 s x 5,792 tokens/s, the rate resellers report.
* Errors: the ``google.rpc`` error shape (vercel/ai ``google-error.ts``); the invalid-key
  body is a verbatim copy of a client's test fixture of Google's answer; the others are
  assembled from the canonical codes with made-up messages where noted.
"""

from __future__ import annotations

import copy
from typing import Any

GEMINI = "https://generativelanguage.googleapis.com/v1beta"
GEMINI_HOST = "generativelanguage.googleapis.com"
VERTEX = "https://us-central1-aiplatform.googleapis.com/v1"
PROJECT = "vidgen-test-project"
KEY = "test-gemini-key-0123456789abcdef"
TOKEN = "test-vertex-access-token-0123456789"

# -- Veo on the Gemini API ------------------------------------------------------------------

VEO_MODEL = "veo-3.1-fast-generate-001"
VEO_OPERATION = f"models/{VEO_MODEL}/operations/8d2lq5b7x0ja"
VEO_FILE_1 = f"{GEMINI}/files/3m1v0k2qz8ab:download?alt=media"
VEO_FILE_2 = f"{GEMINI}/files/9c7x4w1pe5rd:download?alt=media"

#: The create answer: the operation's name alone (proto3 JSON leaves out done=false).
VEO_CREATED: dict[str, Any] = {"name": VEO_OPERATION}

VEO_RUNNING: dict[str, Any] = {
    "name": VEO_OPERATION,
    "metadata": {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningMetadata",
        "createTime": "2026-11-30T10:00:00.000000Z",
        "updateTime": "2026-11-30T10:00:40.123456789Z",
    },
    "done": False,
}

#: Two samples (sampleCount 2), each a Files API download URL on Google's API origin.
VEO_DONE: dict[str, Any] = {
    "name": VEO_OPERATION,
    "metadata": {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningMetadata",
        "createTime": "2026-11-30T10:00:00.000000Z",
        "updateTime": "2026-11-30T10:01:30.000000Z",
    },
    "done": True,
    "response": {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
        "generateVideoResponse": {
            "generatedSamples": [
                {"video": {"uri": VEO_FILE_1}},
                {"video": {"uri": VEO_FILE_2}},
            ]
        },
    },
}

#: Responsible-AI filtering: done, no error, and no samples.
VEO_FILTERED: dict[str, Any] = {
    "name": VEO_OPERATION,
    "done": True,
    "response": {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
        "generateVideoResponse": {
            "raiMediaFilteredCount": 1,
            "raiMediaFilteredReasons": [
                "We encountered an issue with the audio for your prompt. You have not been "
                "charged. Please try a different prompt."
            ],
        },
    },
}

#: A failed operation: a google.rpc.Status under ``error`` (code 3 is INVALID_ARGUMENT).
VEO_ERROR: dict[str, Any] = {
    "name": VEO_OPERATION,
    "done": True,
    "error": {"code": 3, "message": "Unsupported image format for the first frame."},
}

# -- Veo on Vertex AI ------------------------------------------------------------------------

VERTEX_MODEL = "veo-3.1-generate-001"
VERTEX_OPERATION = (
    f"projects/{PROJECT}/locations/us-central1/publishers/google/models/{VERTEX_MODEL}"
    "/operations/a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b"
)
BUCKET = "gs://vidgen-test-bucket/veo/"

VERTEX_CREATED: dict[str, Any] = {"name": VERTEX_OPERATION}
VERTEX_RUNNING: dict[str, Any] = {"name": VERTEX_OPERATION, "done": False}
VERTEX_DONE_GCS: dict[str, Any] = {
    "name": VERTEX_OPERATION,
    "done": True,
    "response": {
        "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
        "raiMediaFilteredCount": 0,
        "videos": [
            {"gcsUri": f"{BUCKET}1744562938/sample_0.mp4", "mimeType": "video/mp4"},
        ],
    },
}
#: Inline bytes (no storageUri): a short stub stands for the base64 MP4.
VERTEX_INLINE_BYTES = b"stub mp4 bytes, inline"
VERTEX_DONE_INLINE: dict[str, Any] = {
    "name": VERTEX_OPERATION,
    "done": True,
    "response": {
        "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
        "videos": [
            {"bytesBase64Encoded": "c3R1YiBtcDQgYnl0ZXMsIGlubGluZQ==", "mimeType": "video/mp4"}
        ],
    },
}
VERTEX_FILTERED: dict[str, Any] = {
    "name": VERTEX_OPERATION,
    "done": True,
    "response": {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": ["58061214"], "videos": []},
}

# -- Gemini Omni on the Interactions API -------------------------------------------------------

OMNI_MODEL = "gemini-omni-1.1-flash"
INTERACTION_ID = "v1_ChdXeHBmYVpfUEpvS3N6N0lQLVotOXdBURIXV3hw"
OMNI_FILE = f"{GEMINI}/files/omni7q2w8e4r:download?alt=media"


def interaction(status: str, **extra: Any) -> dict[str, Any]:
    """An interaction with the given status (assembled from the SDK's Interaction type)."""
    return {
        "id": INTERACTION_ID,
        "status": status,
        "model": OMNI_MODEL,
        "created": "2026-11-30T10:00:00Z",
        "updated": "2026-11-30T10:01:05Z",
        "role": "model",
        **extra,
    }


USER_STEP: dict[str, Any] = {
    "type": "user_input",
    "content": [{"type": "text", "text": "A marble rolls down a spiral wooden track"}],
}
OMNI_CREATED = interaction("in_progress", steps=[USER_STEP])
OMNI_RUNNING = interaction("in_progress", steps=[USER_STEP])
OMNI_USAGE: dict[str, Any] = {
    "total_input_tokens": 14,
    "total_output_tokens": 46336,
    "total_tokens": 46350,
    "output_tokens_by_modality": [{"modality": "video", "tokens": 46336}],
}
OMNI_DONE = interaction(
    "completed",
    steps=[
        USER_STEP,
        {
            "type": "model_output",
            "content": [{"type": "video", "uri": OMNI_FILE, "mime_type": "video/mp4"}],
        },
    ],
    usage=OMNI_USAGE,
)
#: The same with the video inline (the API's default delivery); a stub stands for the MP4.
OMNI_INLINE_BYTES = b"stub omni mp4 bytes"
OMNI_DONE_INLINE = interaction(
    "completed",
    steps=[
        USER_STEP,
        {
            "type": "model_output",
            "content": [
                {"type": "video", "data": "c3R1YiBvbW5pIG1wNCBieXRlcw==", "mime_type": "video/mp4"}
            ],
        },
    ],
    usage=OMNI_USAGE,
)
#: The revision before 2026-05-20: the model's content under ``outputs``.
OMNI_DONE_OUTPUTS = interaction(
    "completed",
    outputs=[{"type": "video", "uri": OMNI_FILE, "mime_type": "video/mp4"}],
)
#: Completed, but no video (filtered, or Google's own bug): a failure, not a success.
OMNI_NO_VIDEO = interaction(
    "completed",
    steps=[USER_STEP, {"type": "model_output", "content": [{"type": "text", "text": "I can't."}]}],
)
OMNI_CANCELLED = interaction("cancelled", steps=[USER_STEP])


def omni(status: str) -> dict[str, Any]:
    """An interaction in ``status``; ``completed`` carries the video."""
    if status == "completed":
        return copy.deepcopy(OMNI_DONE)
    return interaction(status, steps=[USER_STEP])


# -- errors (google.rpc) ---------------------------------------------------------------------


def rpc_error(code: int, status: str, message: str, *details: dict[str, Any]) -> dict[str, Any]:
    """A ``google.rpc``-style error body."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = list(details)
    return {"error": error}


#: Verbatim from a client's fixture of Google's answer to a bad key (a 400, not a 401).
INVALID_KEY = rpc_error(
    400,
    "INVALID_ARGUMENT",
    "API key not valid. Please pass a valid API key.",
    {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
    },
)
#: RESOURCE_EXHAUSTED with a RetryInfo (message assembled from Gemini's quota answers).
RATE_LIMITED = rpc_error(
    429,
    "RESOURCE_EXHAUSTED",
    "You exceeded your current quota, please check your plan and billing details.",
    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"},
)
INVALID_DURATION = rpc_error(
    400, "INVALID_ARGUMENT", "The value of durationSeconds must be 8 when resolution is 1080p."
)
PERMISSION = rpc_error(403, "PERMISSION_DENIED", "The caller does not have permission")
NOT_FOUND = rpc_error(
    404,
    "NOT_FOUND",
    "models/veo-3.1-generate-preview is not found for API version v1beta, or is not "
    "supported for predictLongRunning.",
)
#: Message made up: Google's wording for a refused prompt varies.
POLICY = rpc_error(
    400,
    "INVALID_ARGUMENT",
    "The prompt could not be submitted. It violates Google's Responsible AI practices.",
)
BILLING = rpc_error(
    400,
    "FAILED_PRECONDITION",
    "This model needs billing to be enabled on the project. Please enable billing and retry.",
)
INTERNAL = rpc_error(500, "INTERNAL", "An internal error has occurred.")
OVERLOADED = rpc_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
UNAUTHENTICATED = rpc_error(
    401,
    "UNAUTHENTICATED",
    "Request had invalid authentication credentials. Expected OAuth 2 access token.",
)
