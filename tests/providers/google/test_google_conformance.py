"""The conformance kit on ``google`` (both of its APIs) and ``google-vertex``.

Veo's operations have no status string: ``done``, ``error`` and the samples decide. The
kit's "statuses" for them are therefore names for the documented operation states
(running, done with videos, done with an error, done with every video filtered).
"""

from __future__ import annotations

from typing import Any, ClassVar

from google_payloads import (
    BILLING,
    INTERNAL,
    INVALID_DURATION,
    INVALID_KEY,
    KEY,
    NOT_FOUND,
    OMNI_CREATED,
    OMNI_DONE,
    OVERLOADED,
    PERMISSION,
    POLICY,
    PROJECT,
    RATE_LIMITED,
    TOKEN,
    UNAUTHENTICATED,
    VEO_CREATED,
    VEO_DONE,
    VEO_ERROR,
    VEO_FILTERED,
    VEO_OPERATION,
    VEO_RUNNING,
    VERTEX_CREATED,
    VERTEX_DONE_GCS,
    VERTEX_FILTERED,
    VERTEX_OPERATION,
    VERTEX_RUNNING,
    interaction,
    omni,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance

ERRORS: list[tuple[int, Any, type[vidgen.ProviderError]]] = [
    (400, INVALID_KEY, vidgen.AuthenticationError),
    (401, UNAUTHENTICATED, vidgen.AuthenticationError),
    (400, INVALID_DURATION, vidgen.InvalidRequest),
    (400, POLICY, vidgen.ContentPolicyViolation),
    (400, BILLING, vidgen.InsufficientCredits),
    (403, PERMISSION, vidgen.PermissionDenied),
    (404, NOT_FOUND, vidgen.NotFound),
    (429, RATE_LIMITED, vidgen.RateLimited),
    (500, INTERNAL, vidgen.ServerError),
    (503, OVERLOADED, vidgen.ServerError),
]

OPERATION_STATES = {
    "running": JobStatus.RUNNING,
    "done": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "filtered": JobStatus.FAILED,
}


def operation(state: str, name: str, bodies: dict[str, Any]) -> Any:
    """An operation in a named state; an unknown name gives a ``done`` that is no boolean."""
    if state in bodies:
        return {**bodies[state], "name": name}
    return {"name": name, "done": state}


class TestGoogleVeoConformance(ProviderConformance):
    provider_name = "google"
    api_key = KEY
    statuses = OPERATION_STATES
    submit_body = VEO_CREATED
    succeeded_body = VEO_DONE
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        bodies = {
            "running": VEO_RUNNING,
            "done": VEO_DONE,
            "failed": VEO_ERROR,
            "filtered": VEO_FILTERED,
        }
        return operation(status, VEO_OPERATION, bodies)


class TestGoogleOmniConformance(ProviderConformance):
    provider_name = "google"
    api_key = KEY
    statuses: ClassVar[dict[str, JobStatus]] = {
        "in_progress": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
        "incomplete": JobStatus.FAILED,
        "budget_exceeded": JobStatus.FAILED,
        "requires_action": JobStatus.FAILED,
    }
    submit_body = OMNI_CREATED
    succeeded_body = OMNI_DONE
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        return omni(status) if status in self.statuses else interaction(status)


class TestGoogleVertexConformance(ProviderConformance):
    provider_name = "google-vertex"
    settings: ClassVar[dict[str, Any]] = {"project": PROJECT, "token_provider": lambda: TOKEN}
    statuses = OPERATION_STATES
    submit_body = VERTEX_CREATED
    # Its output is a gs:// object: the kit's download check finds nothing to fetch.
    succeeded_body = VERTEX_DONE_GCS
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        bodies = {
            "running": VERTEX_RUNNING,
            "done": VERTEX_DONE_GCS,
            "failed": VEO_ERROR,
            "filtered": VERTEX_FILTERED,
        }
        return operation(status, VERTEX_OPERATION, bodies)
