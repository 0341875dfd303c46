"""The JSON shapes of Azure's video generation jobs API, and the converter that reads them."""

from __future__ import annotations

import attrs
import cattrs


@attrs.frozen
class Generation:
    id: str


@attrs.frozen
class VideoJob:
    id: str
    status: str | None = None
    model: str | None = None
    created_at: float | None = None
    finished_at: float | None = None
    expires_at: float | None = None
    generations: list[Generation] = attrs.field(factory=list)
    failure_reason: str | None = None
    n_seconds: int | None = None
    n_variants: int | None = None
    width: int | None = None
    height: int | None = None


converter = cattrs.Converter()
