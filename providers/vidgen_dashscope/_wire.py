"""The JSON shapes of DashScope's asynchronous task API, and the converter that reads them.

A create answers ``{output: {task_id, task_status}, request_id}``; a query answers
``{request_id, output: {task_id, task_status, submit_time, end_time, video_url, code,
message, ...}, usage: {...}}``; an error is ``{request_id, code, message}``, sometimes
with HTTP 200. Times are strings in UTC+8; usage figures are numbers or numeric strings,
kept as they came and read by the provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn


@attrs.frozen
class Output:
    task_id: str
    task_status: str | None = None
    submit_time: Any = None
    scheduled_time: Any = None
    end_time: Any = None
    video_url: str | None = None
    code: str | None = None
    message: str | None = None


@attrs.frozen
class Usage:
    duration: Any = None
    input_video_duration: Any = None
    output_video_duration: Any = None
    video_count: Any = None
    SR: Any = None
    size: Any = None
    ratio: Any = None


@attrs.frozen
class Body:
    """A create or query answer (``output``), or an error (``code``, ``message``)."""

    request_id: str | None = None
    output: Output | None = None
    usage: Usage | None = None
    code: Any = None
    message: Any = None


@attrs.frozen
class ListItem:
    task_id: str
    status: str | None = None
    model_name: str | None = None
    gmt_create: Any = None
    end_time: Any = None


@attrs.frozen
class TaskList:
    """``GET /tasks``: ``{total, data: [...], page_no, page_size, total_page, request_id}``."""

    data: list[ListItem] = attrs.field(factory=list)
    page_no: Any = None
    total_page: Any = None
    request_id: str | None = None


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
    # cattrs would turn 12 or {"a": 1} into a string; ids, statuses and URLs are strings.
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def _items(value: Any, _: type) -> list[ListItem]:
    if not isinstance(value, list):
        raise TypeError(f"data must be a list, not {type(value).__name__}")
    return [converter.structure(item, ListItem) for item in value]


converter.register_structure_hook_factory(attrs.has, _objects_only)
converter.register_structure_hook(str, _text)
converter.register_structure_hook_func(lambda t: t == list[ListItem], _items)
