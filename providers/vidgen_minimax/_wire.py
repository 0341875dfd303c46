"""The JSON shapes of MiniMax's V1 video API (Hailuo), and the converter that reads them.

V2 tasks are read by the shared content-array protocol (`vidgen_ark.protocol`); only what
V1 does differently is here: the ``base_resp`` envelope, the capitalised statuses, and the
``file_id`` that ``/v1/files/retrieve`` exchanges for a download URL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NewType

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

#: An id: a string on the wire (``"176843862716480"``), sometimes a number.
Ident = NewType("Ident", str)


@attrs.frozen
class BaseResp:
    status_code: int | None = None
    status_msg: str | None = None


@attrs.frozen
class Query:
    """``GET /v1/query/video_generation`` (and a V1 callback body)."""

    task_id: Ident | None = None
    status: str | None = None
    file_id: Ident | None = None
    video_width: float | None = None
    video_height: float | None = None
    base_resp: BaseResp | None = None


@attrs.frozen
class File:
    file_id: Ident | None = None
    bytes: float | None = None
    created_at: float | None = None
    filename: str | None = None
    purpose: str | None = None
    download_url: str | None = None


@attrs.frozen
class Retrieved:
    """``GET /v1/files/retrieve``."""

    file: File | None = None
    base_resp: BaseResp | None = None


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()

    def objects_only(cls: type) -> Any:
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

    def ident(value: Any, _: type) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise TypeError(f"expected an id, not {type(value).__name__}")

    def whole(value: Any, _: type) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected a whole number, not {type(value).__name__}")
        return value

    def number(value: Any, _: type) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"expected a number, not {type(value).__name__}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number")
        return number

    converter.register_structure_hook_factory(attrs.has, objects_only)
    converter.register_structure_hook(str, text)
    converter.register_structure_hook(Ident, ident)
    converter.register_structure_hook(int, whole)
    converter.register_structure_hook(float, number)
    return converter


converter = _make_converter()
