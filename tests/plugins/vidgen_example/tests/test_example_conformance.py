"""The example plugin's own conformance test, as a plugin author writes it.

vidgen's suite runs it against the installed package (tests/plugins/test_packaging.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from vidgen import JobStatus
from vidgen.testing import ProviderConformance


class TestExampleConformance(ProviderConformance):
    provider_name: ClassVar[str] = "example"
    statuses: ClassVar[Mapping[str, JobStatus]] = {
        "waiting": JobStatus.QUEUED,
        "working": JobStatus.RUNNING,
        "done": JobStatus.SUCCEEDED,
        "error": JobStatus.FAILED,
    }
    submit_body: ClassVar[Any] = {"task_id": "t_1", "state": "waiting"}
    hostile_examples: ClassVar[int] = 25

    def status_body(self, status: str) -> Any:
        return {"task_id": "t_1", "state": status}
