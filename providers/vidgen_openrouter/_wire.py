"""The JSON shapes of OpenRouter's video API, and the converter that reads them.

Field names follow OpenRouter's OpenAPI document (``VideoGenerationResponse``) and its
webhook guide; everything is optional except the job id, and unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn


@attrs.frozen
class Usage:
    """``usage``: the billed cost in USD (null until known) and whether it was BYOK."""

    cost: Any = None
    is_byok: Any = None


@attrs.frozen
class Video:
    """A video job: the create answer, a status answer, and a webhook's ``data``."""

    id: str
    status: str | None = None
    polling_url: str | None = None
    generation_id: str | None = None
    model: str | None = None
    #: A string in the OpenAPI document; anything else is shown as it came.
    error: Any = None
    unsigned_urls: list[str] | None = None
    #: Signed storage URLs (bearer links), in newer answers only.
    urls: list[str] | None = None
    usage: Usage | None = None
    #: When OpenRouter's stored copy expires (unix seconds), in newer answers only.
    expires_at: float | None = None


@attrs.frozen
class Event:
    """A webhook delivery: ``{type, created_at, data}``."""

    type: str | None = None
    created_at: Any = None
    data: Mapping[str, Any] | None = None


@attrs.frozen
class ErrorDetail:
    """``error`` in an error answer: ``{code, message, metadata?}``."""

    code: Any = None
    message: Any = None
    metadata: Any = None


converter = cattrs.Converter()


def _objects_only(cls: type) -> Any:
    # A string where an object belongs would otherwise pass as an object with no fields.
    structure: Any = make_dict_structure_fn(cls, converter)

    def hook(value: Any, _: type) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"{cls.__name__} must be a JSON object, not {type(value).__name__}")
        return structure(value, cls)

    return hook


def _text(value: Any, _: type) -> str:
    # cattrs would turn a number or an object into its repr: an id of "{'a': 1}".
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def _strings(value: Any, _: type) -> list[str]:
    # A bare string would otherwise become a list of its characters: one URL per letter.
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"expected a list of strings, not {value!r}")
    return list(value)


def _number(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, not {value!r}")
    return float(value)


def _mapping(value: Any, _: type) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a JSON object, not {type(value).__name__}")
    return value


converter.register_structure_hook_factory(attrs.has, _objects_only)
converter.register_structure_hook(str, _text)
converter.register_structure_hook(float, _number)
converter.register_structure_hook_func(lambda t: t == list[str], _strings)
converter.register_structure_hook_func(lambda t: t == Mapping[str, Any], _mapping)
