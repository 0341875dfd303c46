"""The JSON shapes of the content-array task protocol, and the one converter that reads them.

One task object serves Ark (``content.video_url``, ``usage.completion_tokens``) and
MiniMax's V2 API (``content.url``, ``usage.total_seconds``): the fields are the union of
both, each optional. Only fields vidgen uses are declared; unknown ones are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NewType

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

#: A vendor's id or code: a string on the wire, sometimes a number (``"1026"`` or 1026).
Code = NewType("Code", str)


@attrs.frozen
class TaskError:
    code: Code | None = None
    message: str | None = None


@attrs.frozen
class Content:
    video_url: str | None = None  # Ark
    url: str | None = None  # MiniMax V2
    last_frame_url: str | None = None  # Ark, with return_last_frame
    prompt: str | None = None  # MiniMax V2 H3-Context-IR tasks (text, no video)


@attrs.frozen
class Usage:
    completion_tokens: float | None = None
    total_tokens: float | None = None
    prompt_tokens: float | None = None
    total_seconds: float | None = None
    input_seconds: float | None = None
    output_seconds: float | None = None
    input_image_count: float | None = None
    input_audio_seconds: float | None = None


@attrs.frozen
class Task:
    id: Code
    model: str | None = None
    status: str | None = None
    error: TaskError | None = None
    created_at: float | None = None
    updated_at: float | None = None
    content: Content | None = None
    usage: Usage | None = None
    duration: float | None = None
    resolution: str | None = None
    ratio: str | None = None
    seed: float | None = None
    framespersecond: float | None = None
    task_type: str | None = None
    modality: str | None = None


@attrs.frozen
class Created:
    """A create response: ``{"id"}`` (Ark) or ``{"task_id"}`` (MiniMax)."""

    id: Code | None = None
    task_id: Code | None = None


@attrs.frozen
class Page:
    """A list response: ``{"items": [...], "total": N}`` (both vendors)."""

    items: list[Any] = attrs.field(factory=list)
    total: float | None = None


@attrs.frozen
class ErrorDetail:
    """The inner object of an error body (Ark's ``{code, message, param, type}``,
    MiniMax's ``{type, message, http_code}``)."""

    code: Code | None = None
    message: str | None = None
    param: str | None = None
    type: str | None = None
    http_code: Code | None = None


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()

    def objects_only(cls: type) -> Any:
        # cattrs would read a string or a list where an object belongs as an object with
        # no fields, so "content": "https://..." would pass as "no outputs".
        structure: Any = make_dict_structure_fn(cls, converter)

        def hook(value: Any, _: type) -> Any:
            if not isinstance(value, Mapping):
                raise TypeError(f"{cls.__name__} must be a JSON object, not {type(value).__name__}")
            return structure(value, cls)

        return hook

    def text(value: Any, _: type) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, not {type(value).__name__}")
        return value

    def code(value: Any, _: type) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise TypeError(f"expected an id or code, not {type(value).__name__}")

    def number(value: Any, _: type) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"expected a number, not {type(value).__name__}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number")
        return number

    def items(value: Any, _: type) -> list[Any]:
        if not isinstance(value, list):
            raise TypeError(f"items must be a list, not {type(value).__name__}")
        return list(value)

    converter.register_structure_hook_factory(attrs.has, objects_only)
    converter.register_structure_hook(str, text)
    converter.register_structure_hook(Code, code)
    converter.register_structure_hook(float, number)
    converter.register_structure_hook_func(lambda t: t == list[Any], items)
    return converter


converter = _make_converter()
