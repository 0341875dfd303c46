"""Ark's error codes (BytePlus ModelArk and Volcengine Ark share them), as data.

Sources: docs.byteplus.com/en/docs/ModelArk/1299023 (the error-code page), the failure
codes seen in task ``error.code`` by vercel/ai and TanStack/ai, and Volcengine's error
page as quoted by third parties (research notes, makers.md section 1.5).
"""

from __future__ import annotations

from vidgen import (
    AuthenticationError,
    ContentPolicyViolation,
    InsufficientCredits,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ProviderError,
    RateLimited,
    ServerError,
)

_MODEL_ID_HINT = (
    "Check the model id: BytePlus names Seedance 2.x 'dreamina-seedance-...', Volcengine "
    "'doubao-seedance-...' (`vidgen models` lists them)"
)

#: Exact codes (or their family, the part before the first dot): the class, whether
#: sending again can help, and what to do.
CODES: dict[str, tuple[type[ProviderError], bool, str]] = {
    "MissingParameter": (InvalidRequest, False, "Add the missing field the message names"),
    "InvalidParameter": (
        InvalidRequest,
        False,
        "Change the field the message names; `vidgen models` lists what each model takes",
    ),
    "InvalidEndpoint.ClosedEndpoint": (
        InvalidRequest,
        False,
        "The endpoint is closed; open it again in the ModelArk console",
    ),
    "AuthenticationError": (
        AuthenticationError,
        False,
        "Check ARK_API_KEY; Ark keys belong to one region (BytePlus or Volcengine)",
    ),
    "AccountOverdueError": (
        InsufficientCredits,
        False,
        "The account is in arrears; top it up in the console",
    ),
    "AccessDenied": (PermissionDenied, False, "The key may not use this model or endpoint"),
    "InvalidEndpoint.NotFound": (NotFound, False, _MODEL_ID_HINT),
    "InvalidEndpointOrModel.NotFound": (NotFound, False, _MODEL_ID_HINT),
    "InvalidEndpointOrModel.ModelIDAccessDisabled": (
        PermissionDenied,
        False,
        "Access to this model id is disabled for the account; see the ModelArk console",
    ),
    "ModelNotOpen": (
        PermissionDenied,
        False,
        "Activate the model in the console first (Seedance 2.x on BytePlus needs a prepaid "
        "resource pack)",
    ),
    "TooManyRequests": (RateLimited, True, "Slow down; vidgen retries rate-limited submits"),
    "RateLimitExceeded": (RateLimited, True, "The endpoint's RPM or TPM limit; slow down"),
    "ModelAccountRpmRateLimitExceeded": (RateLimited, True, "The account's RPM limit; slow down"),
    "ModelAccountTpmRateLimitExceeded": (RateLimited, True, "The account's TPM limit; slow down"),
    "ServerOverloaded": (RateLimited, True, "Ark is overloaded; try again in a while"),
    "ModelLoadingError": (RateLimited, True, "The model is loading; try again in a while"),
    "QuotaExceeded": (
        InsufficientCredits,
        False,
        "The account's quota is used up; raise it or buy more in the console",
    ),
    "InternalServiceError": (ServerError, True, "Ark failed; try again later"),
}

_POLICY_WORDS = ("sensitivecontentdetected", "riskdetection", "contentsecurity")
_POLICY_HINT = (
    "Change the prompt or the images; moderation refused them (a real person's face in an "
    "image is refused as PrivacyInformation)"
)


def is_policy(code: str | None) -> bool:
    """Whether an Ark code is a moderation refusal (input or output)."""
    text = (code or "").lower()
    return any(word in text for word in _POLICY_WORDS)


def lookup(code: str | None) -> tuple[type[ProviderError], bool, str] | None:
    """The table row for a code, its family's, or the moderation row; None if unknown."""
    if not code:
        return None
    if is_policy(code):
        return ContentPolicyViolation, False, _POLICY_HINT
    return CODES.get(code) or CODES.get(code.split(".")[0])
