"""The JSON shapes of Runway's task API, and the converter that reads them.

From runwayml/sdk-python (``types/task_retrieve_response.py``, generated from Runway's
OpenAPI document): a create answers ``{"id"}``; a task is ``{id, status, createdAt,
progress?, output?, failure?, failureCode?}``. Unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn


@attrs.frozen
class Created:
    """The answer to a create: the task id."""

    id: str


@attrs.frozen
class Task:
    """``GET /v1/tasks/{id}``."""

    id: str
    status: str | None = None
    createdAt: str | None = None
    #: 0 to 1 while RUNNING.
    progress: float | None = None
    #: URLs when SUCCEEDED; they expire within 24-48 hours.
    output: list[str] | None = None
    failure: str | None = None
    failureCode: str | None = None
    #: The final cost in credits, where the task reports it (not in the SDK's type).
    cost: Any = None


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
    # cattrs would turn a number or an object into its repr.
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


converter.register_structure_hook_factory(attrs.has, _objects_only)
converter.register_structure_hook(str, _text)
converter.register_structure_hook(float, _number)
converter.register_structure_hook_func(lambda t: t == list[str], _strings)
