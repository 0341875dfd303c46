"""The JSON shapes of aivideoapi's task API, and the converter that reads them."""

from __future__ import annotations

from typing import Any

import attrs
import cattrs


@attrs.frozen
class CreateData:
    taskId: str


@attrs.frozen
class Envelope:
    """The create response: ``{code, msg, data{taskId}}``."""

    code: int | None = None
    msg: str | None = None
    data: CreateData | None = None


@attrs.frozen
class TaskError:
    code: str | None = None
    message: str | None = None
    type: str | None = None


@attrs.frozen
class Output:
    urls: list[str] = attrs.field(factory=list)
    metadata: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Task:
    """The query response (and the callback body): a bare task object."""

    id: str
    status: str | None = None
    model: str | None = None
    created_at: float | None = None
    completed_at: float | None = None
    progress: float | None = None
    output: Output | None = None
    error: TaskError | None = None


@attrs.frozen
class ErrorBody:
    error: TaskError | None = None


converter = cattrs.Converter()
