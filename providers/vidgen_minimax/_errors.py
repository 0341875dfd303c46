"""MiniMax's error codes, as data: V1 puts them in ``base_resp.status_code`` (HTTP 200), V2
in the message of an HTTP error (``"... (1004)"``).

Sources: platform.minimax.io/docs/api-reference/errorcode (the platform-wide table),
the V2 OpenAPI's ``Err*`` responses (which pair 2013/1004/1008/1026/1002/1000 with
400/401/402/422/429/500), and MiniMax-AI/cli for 1028/1030/2061 (research notes,
makers.md section 2.4).
"""

from __future__ import annotations

import re

from vidgen import (
    AuthenticationError,
    ContentPolicyViolation,
    InsufficientCredits,
    InvalidRequest,
    PermissionDenied,
    ProviderError,
    RateLimited,
    ServerError,
)

_KEY_HINT = (
    "Check MINIMAX_API_KEY. Keys belong to one platform: international (api.minimax.io) or "
    "mainland (api.minimaxi.com); set region to match"
)
_RETRY = "MiniMax failed; try again later"

#: code: the class, whether sending again can help, the HTTP status V2 answers it with
#: (V1 answers everything with 200), and what to do.
CODES: dict[int, tuple[type[ProviderError], bool, int, str]] = {
    1000: (ServerError, True, 500, _RETRY),
    1001: (ServerError, True, 504, "MiniMax timed out; try again later"),
    1002: (RateLimited, True, 429, "The requests-per-minute limit; slow down"),
    1004: (AuthenticationError, False, 401, _KEY_HINT),
    1008: (InsufficientCredits, False, 402, "Top up the MiniMax account balance"),
    1013: (ServerError, True, 500, _RETRY),
    1024: (ServerError, True, 500, _RETRY),
    1026: (
        ContentPolicyViolation,
        False,
        422,
        "Change the prompt or the images; MiniMax flagged the input as sensitive",
    ),
    1027: (
        ContentPolicyViolation,
        False,
        422,
        "MiniMax flagged the generated video as sensitive; change the prompt",
    ),
    1028: (InsufficientCredits, False, 402, "The Token Plan quota is used up"),
    1030: (InsufficientCredits, False, 402, "The Token Plan quota is used up"),
    1033: (ServerError, True, 500, _RETRY),
    1039: (RateLimited, True, 429, "The tokens-per-minute limit; slow down"),
    1041: (RateLimited, True, 429, "The connection limit; slow down"),
    2013: (
        InvalidRequest,
        False,
        400,
        "Change the request as the message says; `vidgen models minimax` lists what each "
        "model takes",
    ),
    2045: (RateLimited, True, 429, "Requests grew too fast; slow down"),
    2049: (AuthenticationError, False, 401, _KEY_HINT),
    2056: (InsufficientCredits, False, 429, "The account's usage limit is reached"),
    2061: (PermissionDenied, False, 403, "The key's plan does not include this model"),
}

#: Codes after which a task may still finish: a status read answered with one of these
#: is not the task's end.
TRANSIENT = frozenset(code for code, row in CODES.items() if row[1])
#: Codes that mean moderation refused the task.
POLICY = frozenset({1026, 1027})
_SERVER = frozenset({1000, 1001, 1013, 1024, 1033})

#: V2 ``error.type`` to the class, where the message carries no known code.
TYPES: dict[str, type[ProviderError]] = {
    "authorized_error": AuthenticationError,
    "bad_request_error": InvalidRequest,
    "rate_limit_error": RateLimited,
    "insufficient_balance_error": InsufficientCredits,
    "unprocessable_entity_error": InvalidRequest,
    "overloaded_error": ServerError,
    "server_error": ServerError,
}

_TRAILING_CODE = re.compile(r"\((\d{4})\)\s*$")


def code_in(message: str | None) -> int | None:
    """The internal code at the end of a V2 message (``"... (1004)"``), if any."""
    match = _TRAILING_CODE.search(message or "")
    return int(match.group(1)) if match else None


def as_int(code: str | int | None) -> int | None:
    """A code as a number (``"1026"`` -> 1026), or None."""
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code.strip())
    return None


def failure_code(code: str | int | None) -> str:
    """The neutral code of a failed task's error code."""
    number = as_int(code)
    if number in POLICY:
        return "content_policy"
    if number in _SERVER:
        return "server_error"
    return "generation_failed"
