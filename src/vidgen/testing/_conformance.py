"""The contract every provider, built-in or plugin, must meet, as a check that lists problems."""

from __future__ import annotations

import datetime as dt

import httpx

from .._exceptions import ModelRetired, ProviderError, VidgenError
from .._reference import Reference
from .._request import VideoRequest
from ..provider import Provider
from ._http import make_response

__all__ = ["check_provider"]


def check_provider(provider: Provider, *, today: dt.date | None = None) -> list[str]:
    """Check a provider instance against the contract; return the problems found.

    Checks: a name and display name; a catalog that loads; every price with a source and
    a date; every non-retired model fits a plain request (``nearest``) and quotes; the
    submit request builds without I/O; the key never shows in a repr or a built
    request's repr; an error response parses to a `vidgen.ProviderError`.

    Args:
        provider: an instance, built with a dummy ``api_key`` where it needs one.
        today: the date lifecycle data is checked against.

    Returns:
        Readable problems; empty when the provider meets the contract.
    """
    problems: list[str] = []
    if not provider.name:
        problems.append("the provider class sets no name")
    if not provider.display_name:
        problems.append(f"{provider.name}: no display_name")
    try:
        catalog = provider.catalog
    except VidgenError as exc:
        return [*problems, f"{provider.name}: catalog does not load: {exc}"]
    for spec in catalog.models:
        for price in spec.prices:
            if not price.source:
                problems.append(f"{provider.name}/{spec.id}: a price has no source")
            if price.as_of is None:
                problems.append(f"{provider.name}/{spec.id}: a price has no as_of date")
        frame = None
        if spec.requires_reference:
            from ._images import png_bytes

            frame = Reference.from_bytes(png_bytes(1280, 720))
        request = VideoRequest(prompt="a calm sea at dawn", model=spec.id, reference=frame)
        try:
            fitted = provider.fit(request, policy="nearest", today=today)
        except ModelRetired:
            fitted = provider.fit(request, policy="nearest", allow_retired=True, today=today)
        except VidgenError as exc:
            problems.append(f"{provider.name}/{spec.id}: a plain request does not fit: {exc}")
            continue
        provider.quote(fitted)
        try:
            built: object = provider.build_submit(fitted)
        except VidgenError as exc:
            problems.append(f"{provider.name}/{spec.id}: build_submit failed: {exc}")
            continue
        if not isinstance(built, httpx.Request):
            problems.append(f"{provider.name}: build_submit returned {type(built).__name__}")
    secret = provider._api_key.reveal() if provider._api_key is not None else None
    if secret is not None and len(secret) < 8:
        secret = None  # too short to tell a leak from an ordinary word; use a longer dummy key
    if secret and secret in repr(provider):
        problems.append(f"{provider.name}: the key shows in repr(provider)")
    error: object = provider.parse_error(make_response(500, content=b"<html>oops</html>"))
    if not isinstance(error, ProviderError):
        problems.append(f"{provider.name}: parse_error returned {type(error).__name__}")
    elif secret and secret in str(error):
        problems.append(f"{provider.name}: the key shows in an error message")
    return problems
