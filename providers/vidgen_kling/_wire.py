"""The JSON shapes of Kling's video API, and the converter that reads them.

Every answer is an envelope ``{code, message, request_id, data}``; ``data`` is a task
(create, query, callback bodies carry the task itself) or a list of tasks (list).
Loosely typed fields (Kling sends durations and unit deductions as strings, times as
milliseconds) are kept as they came and read by the provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn


@attrs.frozen
class Video:
    id: str | None = None
    url: str | None = None
    watermark_url: str | None = None
    duration: Any = None


@attrs.frozen
class TaskResult:
    videos: list[Video] | None = None


@attrs.frozen
class TaskInfo:
    external_task_id: str | None = None


@attrs.frozen
class Task:
    """A task: the ``data`` of a create or query answer, an item of a list, a callback."""

    task_id: str
    task_status: str | None = None
    task_status_msg: str | None = None
    task_info: TaskInfo | None = None
    task_result: TaskResult | None = None
    final_unit_deduction: Any = None
    created_at: Any = None
    updated_at: Any = None


@attrs.frozen
class Envelope:
    """Every answer: ``code`` 0 on success, else an error code and its message."""

    code: Any = None
    message: str | None = None
    request_id: str | None = None
    data: Any = None


converter = cattrs.Converter()


def _objects_only(cls: type) -> Any:
    # A string where an object belongs would otherwise read as an object with no fields.
    structure: Any = make_dict_structure_fn(cls, converter)

    def hook(value: Any, _: type) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"{cls.__name__} must be a JSON object, not {type(value).__name__}")
        return structure(value, cls)

    return hook


def _text(value: Any, _: type) -> str:
    # cattrs would turn 12 or {"a": 1} into a string; Kling's ids and URLs are strings.
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def _videos(value: Any, _: type) -> list[Video]:
    if not isinstance(value, list):
        raise TypeError(f"videos must be a list, not {type(value).__name__}")
    return [converter.structure(item, Video) for item in value]


converter.register_structure_hook_factory(attrs.has, _objects_only)
converter.register_structure_hook(str, _text)
converter.register_structure_hook_func(lambda t: t == list[Video], _videos)
