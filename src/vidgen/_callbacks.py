"""Per-job callback tokens: a callback is only a hint, and only with the job's token.

Before a submit that asks for a callback, vidgen adds a random token to the callback URL
(``?vidgen_token=...``) and keeps it (in memory and in the ledger). A callback is accepted
only for a job with a token and carrying that token; the job's state is then read from
the API, so nothing in the callback body is trusted.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import httpx

from ._exceptions import CallbackRejected, ProtocolError, UnsupportedRequest
from ._models import Job
from ._request import Fitted
from ._untrusted import call_parser
from .provider import Provider

if TYPE_CHECKING:
    from ._ledger import Ledger

__all__ = ["CALLBACK_TOKEN_PARAM", "CallbackTokens", "body_bytes"]

#: The query parameter that carries a job's callback token in its callback URL.
CALLBACK_TOKEN_PARAM = "vidgen_token"


def body_bytes(body: bytes | str | Mapping[str, object]) -> bytes:
    """A callback body as the bytes that arrived (a parsed dict is dumped back to JSON)."""
    if isinstance(body, Mapping):
        return json.dumps(body).encode()
    if isinstance(body, str):
        return body.encode()
    return bytes(body)


class CallbackTokens:
    """The tokens of the jobs a client submitted (or was told to expect)."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def add_to(self, fitted: Fitted) -> tuple[Fitted, str | None]:
        """The fitted request with a fresh token in its callback URL, and the token."""
        if fitted.callback_url is None:
            return fitted, None
        token = secrets.token_urlsafe(24)
        url = httpx.URL(fitted.callback_url).copy_merge_params({CALLBACK_TOKEN_PARAM: token})
        return attrs.evolve(fitted, callback_url=str(url)), token

    def remember(self, job_id: str, token: str) -> None:
        """Accept callbacks for ``job_id`` carrying ``token``."""
        self._tokens[job_id] = token

    def get(self, job_id: str) -> str | None:
        """The token of a job, if this client knows one."""
        return self._tokens.get(job_id)

    def check(
        self,
        body: bytes | str | Mapping[str, object],
        *,
        headers: Mapping[str, str] | None,
        url: str | None,
        token: str | None,
        providers: Sequence[Provider],
        ledger: Ledger | None,
    ) -> Job:
        """The job a callback names, once its token checks out.

        Raises:
            CallbackRejected: malformed, for a job with no known token, or a wrong token.
        """
        raw = body_bytes(body)
        hint = None
        problems = []
        for provider in providers:
            try:
                parsed: object = call_parser(
                    provider, "callback", raw, provider.parse_callback, dict(headers or {}), raw
                )
            except (ProtocolError, UnsupportedRequest) as exc:
                problems.append(str(exc))
                continue
            if not isinstance(parsed, Job):
                problems.append(f"{provider.name} read the callback as {type(parsed).__name__}")
                continue
            hint = parsed
            break
        if hint is None:
            raise CallbackRejected(f"callback rejected: {'; '.join(problems)}", reason="malformed")
        expected = self._tokens.get(hint.id)
        if expected is None and ledger is not None:
            # Submitted by an earlier process: its token is in the ledger.
            entry = ledger.get(hint.id)
            if entry is not None and entry.provider == hint.provider:
                expected = entry.callback_token
        if expected is None:
            raise CallbackRejected(
                f"callback rejected: job {hint.id} was not submitted by this client (for a job "
                "submitted by another process, call expect_callback(job_id, token) first)",
                reason="unknown_job",
            )
        given = token
        if given is None and url is not None:
            given = httpx.URL(url).params.get(CALLBACK_TOKEN_PARAM)
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise CallbackRejected(
                f"callback rejected: the token for job {hint.id} is missing or wrong "
                "(pass the URL the callback arrived at, or its vidgen_token value)",
                reason="bad_token",
            )
        return hint
