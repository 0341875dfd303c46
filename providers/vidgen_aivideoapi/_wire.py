"""The JSON shapes of aivideoapi's task API, and the converter that reads them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn


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


def _objects_only(cls: type) -> Any:
    # cattrs reads a string where an object belongs as an object with no fields ("urls" in
    # "https://..." is a substring test), so a malformed output would pass as "no outputs".
    structure: Any = make_dict_structure_fn(cls, converter)

    def hook(value: Any, _: type) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"{cls.__name__} must be a JSON object, not {type(value).__name__}")
        return structure(value, cls)

    return hook


def _strings(value: Any, _: type) -> list[str]:
    # A bare string would otherwise become a list of its characters: one "URL" per letter.
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"expected a list of strings, not {value!r}")
    return list(value)


converter.register_structure_hook_factory(attrs.has, _objects_only)
converter.register_structure_hook_func(lambda t: t == list[str], _strings)
