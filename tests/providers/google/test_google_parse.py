"""Parsing Google's answers, sans-IO: every operation and interaction state, every error.

The payloads come from google_payloads.py (see its docstring for their sources).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from google_payloads import (
    BILLING,
    GEMINI,
    INTERACTION_ID,
    INTERNAL,
    INVALID_DURATION,
    INVALID_KEY,
    NOT_FOUND,
    OMNI_CANCELLED,
    OMNI_DONE,
    OMNI_DONE_INLINE,
    OMNI_DONE_OUTPUTS,
    OMNI_FILE,
    OMNI_INLINE_BYTES,
    OMNI_NO_VIDEO,
    OVERLOADED,
    PERMISSION,
    POLICY,
    RATE_LIMITED,
    UNAUTHENTICATED,
    VEO_CREATED,
    VEO_DONE,
    VEO_ERROR,
    VEO_FILE_1,
    VEO_FILE_2,
    VEO_FILTERED,
    VEO_OPERATION,
    VEO_RUNNING,
    VERTEX_DONE_GCS,
    VERTEX_DONE_INLINE,
    VERTEX_FILTERED,
    VERTEX_INLINE_BYTES,
    VERTEX_OPERATION,
    interaction,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import make_response
from vidgen_google import GoogleProvider, GoogleVertexProvider

UTC = dt.timezone.utc


def ok(body: Any, url: str = f"{GEMINI}/x") -> Any:
    return make_response(200, json=body, url=url)


# -- Veo operations (Gemini API) ---------------------------------------------------------------


def test_the_created_operation_is_running(gemini: GoogleProvider) -> None:
    job = gemini.parse_submit(ok(VEO_CREATED))
    assert job.id == VEO_OPERATION
    assert job.status is JobStatus.RUNNING
    assert job.model == "veo-3.1-fast-generate-001"
    assert job.outputs == ()
    assert job.error is None


def test_a_running_operation_keeps_its_times(gemini: GoogleProvider) -> None:
    job = gemini.parse_status(ok(VEO_RUNNING))
    assert job.status is JobStatus.RUNNING
    assert job.created_at == dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert job.completed_at is None


def test_a_finished_operation_has_every_sample_as_an_output(gemini: GoogleProvider) -> None:
    job = gemini.parse_status(ok(VEO_DONE))
    assert job.status is JobStatus.SUCCEEDED
    assert job.progress == 100
    assert [(o.index, o.url, o.ref) for o in job.outputs] == [
        (0, VEO_FILE_1, None),
        (1, VEO_FILE_2, None),
    ]
    done = dt.datetime(2026, 11, 30, 10, 1, 30, tzinfo=UTC)
    assert job.completed_at == done
    # Google keeps generated videos for 2 days.
    assert job.expires_at == done + dt.timedelta(days=2)
    assert all(o.expires_at == job.expires_at for o in job.outputs)


def test_a_filtered_operation_is_a_content_policy_failure_with_googles_reasons(
    gemini: GoogleProvider,
) -> None:
    job = gemini.parse_status(ok(VEO_FILTERED))
    assert job.status is JobStatus.FAILED
    assert job.outputs == ()
    assert job.error is not None
    assert job.error.code == "content_policy"
    assert job.error.provider_code == "raiMediaFiltered"
    assert "issue with the audio for your prompt" in job.error.message
    assert "1 video(s)" in job.error.message


def test_a_filter_count_without_reasons_still_counts_as_content_policy(
    gemini: GoogleProvider,
) -> None:
    body = {"name": VEO_OPERATION, "done": True, "response": {"raiMediaFilteredCount": "2"}}
    job = gemini.parse_status(ok(body))
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "content_policy"
    assert "no reason given" in job.error.message


def test_a_done_operation_with_nothing_in_it_is_a_failure(gemini: GoogleProvider) -> None:
    job = gemini.parse_status(ok({"name": VEO_OPERATION, "done": True, "response": {}}))
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "generation_failed"


def test_a_partly_filtered_operation_succeeds_with_what_is_left(gemini: GoogleProvider) -> None:
    body = copy.deepcopy(VEO_DONE)
    answer = body["response"]["generateVideoResponse"]
    answer["generatedSamples"] = answer["generatedSamples"][:1]
    answer["raiMediaFilteredCount"] = 1
    job = gemini.parse_status(ok(body))
    assert job.status is JobStatus.SUCCEEDED
    assert [o.url for o in job.outputs] == [VEO_FILE_1]
    assert job.raw["response"]["generateVideoResponse"]["raiMediaFilteredCount"] == 1


def test_an_operation_error_is_a_failure_with_googles_code(gemini: GoogleProvider) -> None:
    job = gemini.parse_status(ok(VEO_ERROR))
    assert job.status is JobStatus.FAILED
    assert job.error == vidgen.JobError(
        code="invalid_request",
        message="Unsupported image format for the first frame.",
        provider_code="3",
    )


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ({"code": 13, "message": "Internal error"}, "server_error"),
        ({"code": 14, "message": "Service unavailable"}, "server_error"),
        ({"code": 8, "message": "Quota"}, "rate_limited"),
        ({"code": 3, "message": "Prompt violates Responsible AI practices"}, "content_policy"),
        ({"status": "PERMISSION_DENIED", "message": "no"}, "permission_denied"),
        ({"code": 99, "message": "?"}, "generation_failed"),
        ({"message": "failed"}, "generation_failed"),
    ],
)
def test_operation_error_codes_map_to_neutral_codes(
    gemini: GoogleProvider, error: dict[str, Any], code: str
) -> None:
    body = {"name": VEO_OPERATION, "done": True, "error": error}
    job = gemini.parse_status(ok(body))
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == code


def test_progress_is_read_from_the_metadata(gemini: GoogleProvider) -> None:
    body = {"name": VEO_OPERATION, "metadata": {"progressPercent": 40}}
    assert gemini.parse_status(ok(body)).progress == 40


@pytest.mark.parametrize("done", ["yes", 1, [], {}])
def test_an_unreadable_done_is_an_unknown_state(gemini: GoogleProvider, done: Any) -> None:
    job = gemini.parse_status(ok({"name": VEO_OPERATION, "done": done}))
    assert job.status is JobStatus.UNKNOWN


def test_the_sdk_and_relay_spellings_of_a_finished_operation_are_read(
    gemini: GoogleProvider,
) -> None:
    # generatedSamples without the generateVideoResponse wrapper, and generatedVideos.
    for key in ("generatedSamples", "generatedVideos"):
        body = {
            "name": VEO_OPERATION,
            "done": True,
            "response": {key: [{"video": {"uri": VEO_FILE_1}}]},
        }
        assert [o.url for o in gemini.parse_status(ok(body)).outputs] == [VEO_FILE_1]


def test_a_files_api_name_becomes_its_download_url_on_googles_origin(
    gemini: GoogleProvider,
) -> None:
    body = {
        "name": VEO_OPERATION,
        "done": True,
        "response": {
            "generateVideoResponse": {"generatedSamples": [{"video": {"uri": "files/abc123"}}]}
        },
    }
    job = gemini.parse_status(ok(body))
    assert [o.url for o in job.outputs] == [f"{GEMINI}/files/abc123:download?alt=media"]


def test_an_operation_without_a_name_is_a_protocol_error(gemini: GoogleProvider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        gemini.parse_status(ok({"name": "", "done": True}))


@pytest.mark.parametrize("body", [b"<html>502</html>", b"[" * 5000 + b"]" * 5000, b""])
def test_unreadable_bodies_are_protocol_errors(gemini: GoogleProvider, body: bytes) -> None:
    with pytest.raises(vidgen.ProtocolError):
        gemini.parse_status(make_response(200, content=body))


# -- Veo operations (Vertex AI) -------------------------------------------------------------


def test_a_vertex_operation_with_a_bucket_output(vertex: GoogleVertexProvider) -> None:
    job = vertex.parse_status(ok(VERTEX_DONE_GCS))
    assert job.id == VERTEX_OPERATION
    assert job.model == "veo-3.1-generate-001"
    assert job.status is JobStatus.SUCCEEDED
    assert [o.url for o in job.outputs] == ["gs://vidgen-test-bucket/veo/1744562938/sample_0.mp4"]
    # The bucket is the user's: no retention to report.
    assert job.expires_at is None


def test_a_vertex_operation_with_inline_bytes_keeps_them_out_of_raw(
    vertex: GoogleVertexProvider,
) -> None:
    body = copy.deepcopy(VERTEX_DONE_INLINE)
    body["response"]["videos"][0]["bytesBase64Encoded"] = "QUJD" * 1000
    job = vertex.parse_status(ok(body))
    assert job.status is JobStatus.SUCCEEDED
    assert [(o.url, o.ref) for o in job.outputs] == [(None, "inline:0")]
    kept = job.raw["response"]["videos"][0]["bytesBase64Encoded"]
    assert kept == "<4000 characters of base64 omitted by vidgen>"
    assert len(json.dumps(job.raw)) < 1000


def test_a_vertex_filtered_operation_is_a_content_policy_failure(
    vertex: GoogleVertexProvider,
) -> None:
    job = vertex.parse_status(ok(VERTEX_FILTERED))
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "content_policy"
    assert "58061214" in job.error.message


def test_inline_bytes_decode_from_a_fresh_read(vertex: GoogleVertexProvider) -> None:
    job = vertex.parse_status(ok(VERTEX_DONE_INLINE))
    assert vertex.read_inline_output(ok(VERTEX_DONE_INLINE), job, 0) == VERTEX_INLINE_BYTES


# -- Gemini Omni interactions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "neutral"),
    [
        ("in_progress", JobStatus.RUNNING),
        ("completed", JobStatus.SUCCEEDED),
        ("failed", JobStatus.FAILED),
        ("cancelled", JobStatus.CANCELLED),
        ("incomplete", JobStatus.FAILED),
        ("budget_exceeded", JobStatus.FAILED),
        ("requires_action", JobStatus.FAILED),
        ("a_status_from_2027", JobStatus.UNKNOWN),
    ],
)
def test_every_interaction_status_maps(
    gemini: GoogleProvider, status: str, neutral: JobStatus
) -> None:
    body = OMNI_DONE if status == "completed" else interaction(status)
    job = gemini.parse_status(ok(body))
    assert job.status is neutral
    assert job.id == INTERACTION_ID
    if neutral is JobStatus.FAILED:
        assert job.error is not None
        assert job.error.provider_code == status


def test_a_completed_interaction_carries_its_video_and_token_usage(gemini: GoogleProvider) -> None:
    job = gemini.parse_status(ok(OMNI_DONE))
    assert job.status is JobStatus.SUCCEEDED
    assert job.model == "gemini-omni-1.1-flash"
    assert [o.url for o in job.outputs] == [OMNI_FILE]
    assert job.completed_at == dt.datetime(2026, 11, 30, 10, 1, 5, tzinfo=UTC)
    assert job.usage == vidgen.Usage(
        tokens=46336,
        note="tokens Google counted (video output: 46,336, output: 46,336, input: 14, total: 46,350)",
    )


def test_a_completed_interaction_without_a_video_is_a_failure(gemini: GoogleProvider) -> None:
    job = gemini.parse_status(ok(OMNI_NO_VIDEO))
    assert job.status is JobStatus.FAILED
    assert job.outputs == ()
    assert job.error is not None
    assert job.error.code == "generation_failed"
    assert job.error.provider_code == "completed_without_video"
    assert "without a video" in job.error.message


def test_the_pre_2026_05_revision_outputs_are_read(gemini: GoogleProvider) -> None:
    job = gemini.parse_status(ok(OMNI_DONE_OUTPUTS))
    assert job.status is JobStatus.SUCCEEDED
    assert [o.url for o in job.outputs] == [OMNI_FILE]


def test_the_sdks_output_video_is_read(gemini: GoogleProvider) -> None:
    body = interaction("completed", output_video={"uri": OMNI_FILE, "mime_type": "video/mp4"})
    assert [o.url for o in gemini.parse_status(ok(body)).outputs] == [OMNI_FILE]


def test_an_inline_omni_video_is_an_inline_output_and_decodes_from_a_fresh_read(
    gemini: GoogleProvider,
) -> None:
    job = gemini.parse_status(ok(OMNI_DONE_INLINE))
    assert job.status is JobStatus.SUCCEEDED
    assert [(o.url, o.ref) for o in job.outputs] == [(None, "inline:0")]
    assert gemini.read_inline_output(ok(OMNI_DONE_INLINE), job, 0) == OMNI_INLINE_BYTES
    with pytest.raises(vidgen.UnsupportedRequest):
        gemini.read_inline_output(ok(OMNI_DONE), job, 0)


def test_input_images_are_dropped_from_raw(gemini: GoogleProvider) -> None:
    body = copy.deepcopy(OMNI_DONE)
    body["steps"][0]["content"].insert(
        0, {"type": "image", "data": "iVBORw0K" * 500, "mime_type": "image/png"}
    )
    job = gemini.parse_status(ok(body))
    assert job.raw["steps"][0]["content"][0]["data"].startswith("<4000 characters")


def test_a_failed_interaction_keeps_googles_message(gemini: GoogleProvider) -> None:
    body = interaction("failed", error={"code": 13, "message": "Video generation failed."})
    job = gemini.parse_status(ok(body))
    assert job.error is not None
    assert job.error.code == "server_error"
    assert job.error.message == "the interaction failed: Video generation failed."


def test_budget_exceeded_and_requires_action_say_what_happened(gemini: GoogleProvider) -> None:
    budget = gemini.parse_status(ok(interaction("budget_exceeded"))).error
    assert budget is not None
    assert budget.code == "budget_exceeded"
    action = gemini.parse_status(ok(interaction("requires_action"))).error
    assert action is not None
    assert "tool result" in action.message


def test_cancel_answers_with_the_interaction(gemini: GoogleProvider) -> None:
    job = vidgen.Job(id=INTERACTION_ID, provider="google")
    after = gemini.parse_cancel(ok(OMNI_CANCELLED), job)
    assert after is not None
    assert after.status is JobStatus.CANCELLED
    assert gemini.parse_cancel(make_response(200, content=b""), job) is None
    with pytest.raises(vidgen.NotFound):
        gemini.parse_cancel(make_response(404, json=NOT_FOUND), job)


def test_an_interaction_without_an_id_is_a_protocol_error(gemini: GoogleProvider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        gemini.parse_status(ok({"status": "completed"}))


# -- HTTP errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status_code", "body", "cls", "provider_code"),
    [
        (400, INVALID_KEY, vidgen.AuthenticationError, "API_KEY_INVALID"),
        (401, UNAUTHENTICATED, vidgen.AuthenticationError, "UNAUTHENTICATED"),
        (400, INVALID_DURATION, vidgen.InvalidRequest, "INVALID_ARGUMENT"),
        (400, POLICY, vidgen.ContentPolicyViolation, "INVALID_ARGUMENT"),
        (400, BILLING, vidgen.InsufficientCredits, "FAILED_PRECONDITION"),
        (403, PERMISSION, vidgen.PermissionDenied, "PERMISSION_DENIED"),
        (404, NOT_FOUND, vidgen.NotFound, "NOT_FOUND"),
        (429, RATE_LIMITED, vidgen.RateLimited, "RESOURCE_EXHAUSTED"),
        (500, INTERNAL, vidgen.ServerError, "INTERNAL"),
        (503, OVERLOADED, vidgen.ServerError, "UNAVAILABLE"),
    ],
)
def test_error_bodies_map_to_vidgen_errors(
    gemini: GoogleProvider,
    status_code: int,
    body: dict[str, Any],
    cls: type[vidgen.ProviderError],
    provider_code: str,
) -> None:
    error = gemini.parse_error(make_response(status_code, json=body))
    assert type(error) is cls
    assert error.provider == "google"
    assert error.status_code == status_code
    assert error.provider_code == provider_code
    assert error.message == body["error"]["message"]
    assert error.hint


def test_a_rate_limit_waits_as_long_as_googles_retry_info_says(gemini: GoogleProvider) -> None:
    error = gemini.parse_error(make_response(429, json=RATE_LIMITED))
    assert isinstance(error, vidgen.RateLimited)
    assert error.retry_after == 30.0
    assert error.retryable
    hinted = gemini.parse_error(make_response(429, json=RATE_LIMITED, headers={"Retry-After": "7"}))
    assert isinstance(hinted, vidgen.RateLimited)
    assert hinted.retry_after == 7.0


def test_a_bad_key_hint_names_both_variables(gemini: GoogleProvider) -> None:
    error = gemini.parse_error(make_response(400, json=INVALID_KEY))
    assert "GEMINI_API_KEY" in str(error)
    assert "GOOGLE_API_KEY" in str(error)


def test_an_error_wrapped_in_a_list_is_read(gemini: GoogleProvider) -> None:
    error = gemini.parse_error(make_response(403, json=[PERMISSION]))
    assert isinstance(error, vidgen.PermissionDenied)
    assert error.message == "The caller does not have permission"


def test_a_non_json_error_falls_back_on_the_status(gemini: GoogleProvider) -> None:
    error = gemini.parse_error(make_response(502, content=b"<html>Bad Gateway</html>"))
    assert isinstance(error, vidgen.ServerError)
    assert "Bad Gateway" in error.message


def test_vertex_auth_errors_point_at_credentials(vertex: GoogleVertexProvider) -> None:
    error = vertex.parse_error(make_response(401, json=UNAUTHENTICATED))
    assert isinstance(error, vidgen.AuthenticationError)
    assert "application-default" in str(error)
    assert "roles/aiplatform.user" in str(error)
