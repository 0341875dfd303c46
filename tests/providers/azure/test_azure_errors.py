"""Azure's two error shapes, read by ``parse_error`` on both APIs (sans-IO).

The wrapped shape is the general ``AzureErrorResponse``; the video-specific
``AzureOpenAIVideoGenerationErrorResponse`` has the same fields at the top level
(shared/WIRE.md 4.2). Which one the video service sends is unverified, so both are read.
"""

from __future__ import annotations

from typing import Any

import pytest
from azure_payloads import ENDPOINT, KEY, top_level_error, wrapped_error

import vidgen
from vidgen.testing import make_response
from vidgen_azure import AzureProvider


@pytest.fixture(params=["jobs", "videos"])
def azure(request: pytest.FixtureRequest) -> AzureProvider:
    provider = vidgen.get_provider("azure", api_key=KEY, endpoint=ENDPOINT, api=request.param)
    assert isinstance(provider, AzureProvider)
    return provider


def error(
    provider: AzureProvider, status: int, payload: Any = None, **headers: str
) -> vidgen.ProviderError:
    if isinstance(payload, (bytes, str)):
        response = make_response(status, content=payload, headers=headers, method="POST")
    else:
        response = make_response(status, json=payload, headers=headers, method="POST")
    return provider.parse_error(response)


@pytest.mark.parametrize(
    "payload",
    [
        top_level_error(),
        wrapped_error(
            "content_policy_violation",
            "Your request was rejected as a result of our safety system.",
            param="prompt",
            inner_code="ResponsibleAIPolicyViolation",
        ),
        # The inner code alone decides, whatever the outer code says.
        top_level_error(code="BadRequest"),
        wrapped_error("invalid_request", "rejected", inner_code="ResponsibleAIPolicyViolation"),
    ],
    ids=["top-level", "wrapped", "top-level-inner-only", "wrapped-inner-only"],
)
def test_responsible_ai_violation_is_a_content_policy_violation(
    azure: AzureProvider, payload: dict[str, Any]
) -> None:
    got = error(azure, 400, payload, **{"apim-request-id": "apim-0001"})

    assert type(got) is vidgen.ContentPolicyViolation
    assert got.status_code == 400
    assert got.code == "content_policy"
    assert got.provider_code == "ResponsibleAIPolicyViolation"
    assert got.request_id == "apim-0001"
    assert got.retryable is False
    assert "request id apim-0001" in str(got)
    assert got.provider == "azure"


def test_both_shapes_give_the_same_fields(azure: AzureProvider) -> None:
    fields = {
        "code": "invalid_value",
        "message": "n_seconds must be 20 or less",
        "param": "n_seconds",
    }
    top = error(azure, 400, {**fields, "type": "1"})
    wrapped = error(azure, 400, {"error": {**fields, "type": "error"}})

    for got in (top, wrapped):
        assert type(got) is vidgen.InvalidRequest
        assert got.message == "n_seconds must be 20 or less"
        assert got.param == "n_seconds"
        assert got.provider_code == "invalid_value"


@pytest.mark.parametrize(
    ("status", "payload", "cls"),
    [
        (
            401,
            wrapped_error(
                "401", "Access denied due to invalid subscription key or wrong API endpoint."
            ),
            vidgen.AuthenticationError,
        ),
        (
            403,
            wrapped_error("AuthorizationFailed", "The client does not have access."),
            vidgen.PermissionDenied,
        ),
        (
            404,
            wrapped_error("DeploymentNotFound", "The deployment does not exist."),
            vidgen.NotFound,
        ),
        (
            404,
            top_level_error("NotFound", "Job not found.", param=None, inner_code=None),
            vidgen.NotFound,
        ),
        (500, wrapped_error("InternalServerError", "The server had an error."), vidgen.ServerError),
        (
            503,
            top_level_error("ServiceUnavailable", "Try later.", param=None, inner_code=None),
            vidgen.ServerError,
        ),
        (422, wrapped_error("invalid_value", "bad"), vidgen.InvalidRequest),
    ],
)
def test_status_classes(
    azure: AzureProvider, status: int, payload: dict[str, Any], cls: type[vidgen.ProviderError]
) -> None:
    got = error(azure, status, payload, **{"apim-request-id": f"apim-{status}"})

    assert type(got) is cls
    assert got.status_code == status
    assert got.request_id == f"apim-{status}"
    assert got.message == (payload.get("error") or payload)["message"]


def test_hints_say_what_to_do(azure: AzureProvider) -> None:
    unauthorized = error(azure, 401, wrapped_error("401", "Access denied."))
    forbidden = error(azure, 403, wrapped_error("403", "Forbidden."))
    missing = error(azure, 404, wrapped_error("DeploymentNotFound", "No deployment."))

    assert "AZURE_OPENAI_API_KEY" in str(unauthorized)
    assert "Cognitive Services User" in str(forbidden)
    assert "deployment name" in str(missing)


def test_server_errors_are_retryable_for_reads(azure: AzureProvider) -> None:
    got = error(azure, 500, wrapped_error("InternalServerError", "oops"))

    assert got.retryable is True
    assert got.code == "server_error"


def test_rate_limit_keeps_retry_after(azure: AzureProvider) -> None:
    got = error(
        azure,
        429,
        wrapped_error("429", "Requests to the video API have exceeded the rate limit."),
        **{"Retry-After": "17", "apim-request-id": "apim-429"},
    )

    assert isinstance(got, vidgen.RateLimited)
    assert got.retry_after == 17.0
    assert got.retryable is True
    assert got.request_id == "apim-429"


def test_retry_after_ms_wins(azure: AzureProvider) -> None:
    got = error(
        azure,
        429,
        wrapped_error("429", "slow down"),
        **{"retry-after-ms": "2500", "Retry-After": "9"},
    )

    assert isinstance(got, vidgen.RateLimited)
    assert got.retry_after == 2.5


def test_rate_limit_without_retry_after(azure: AzureProvider) -> None:
    got = error(azure, 429, top_level_error("429", "slow down", param=None, inner_code=None))

    assert isinstance(got, vidgen.RateLimited)
    assert got.retry_after is None


def test_quota_exhaustion_is_not_a_rate_limit(azure: AzureProvider) -> None:
    got = error(azure, 429, wrapped_error("insufficient_quota", "You exceeded your quota."))

    assert type(got) is vidgen.InsufficientCredits
    assert got.retryable is False


def test_x_request_id_is_the_fallback_request_id(azure: AzureProvider) -> None:
    both = error(
        azure, 400, wrapped_error("x", "y"), **{"apim-request-id": "apim", "x-request-id": "x"}
    )
    only_x = error(azure, 400, wrapped_error("x", "y"), **{"x-request-id": "x-only"})

    assert both.request_id == "apim"
    assert only_x.request_id == "x-only"


@pytest.mark.parametrize(
    "payload",
    [b"<html><body>Bad Gateway</body></html>", b"", {"unexpected": True}, ["a"]],
    ids=["html", "empty", "no-fields", "list"],
)
def test_bodies_without_error_fields(azure: AzureProvider, payload: Any) -> None:
    got = error(azure, 502, payload, **{"apim-request-id": "apim-502"})

    assert type(got) is vidgen.ServerError
    assert got.message.startswith("HTTP 502")
    assert got.request_id == "apim-502"


def test_error_as_a_plain_string(azure: AzureProvider) -> None:
    got = error(azure, 400, {"error": "Invalid request body."})

    assert type(got) is vidgen.InvalidRequest
    assert got.message == "Invalid request body."


def test_the_documented_v1_inpaint_error(azure: AzureProvider) -> None:
    # A real Azure Sora 2 answer to a reference that does not match the size (WIRE.md 1.8).
    payload = {
        "error": {
            "message": "Inpaint image must match the requested width and height",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    got = error(azure, 400, payload)

    assert type(got) is vidgen.InvalidRequest
    assert got.message == "Inpaint image must match the requested width and height"
    assert got.provider_code is None
    assert got.param is None


def test_submit_errors_raise_from_parse_submit(azure: AzureProvider) -> None:
    response = make_response(400, json=top_level_error(), method="POST")

    with pytest.raises(vidgen.ContentPolicyViolation):
        azure.parse_submit(response)
    with pytest.raises(vidgen.ContentPolicyViolation):
        azure.parse_status(response)


def test_the_key_is_in_no_error(azure: AzureProvider) -> None:
    payloads: list[Any] = [top_level_error(), wrapped_error("401", "Access denied."), b"<html/>"]
    for status, payload in zip((400, 401, 500), payloads, strict=True):
        got = error(azure, status, payload)
        assert KEY not in str(got)
        assert KEY not in repr(got)
