"""Images given as URLs, fetched by vidgen for providers that take images only inline.

Veo, for one, takes a first frame only as base64 inside the request: an https URL in a
`Reference` is downloaded by vidgen before the plan, not by the provider. The fetch is a
read (retried like one) under the same guards as a download: https only, no private or
local addresses, no credentials, a size limit; and the bytes must be an image.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import httpx

from ._exceptions import InvalidInput, ProtocolError, VidgenError
from ._lifecycle import Env, Flow, read_flow
from ._reference import Reference
from ._request import VideoRequest
from ._untrusted import check_output_url
from .provider import Provider

__all__ = ["MAX_IMAGE_BYTES", "fetch_references_flow", "needs_fetching", "wants_bytes"]

#: The largest image vidgen fetches for a reference (providers take far less).
MAX_IMAGE_BYTES = 50 * 1024 * 1024


def _images(request: VideoRequest) -> Iterator[Reference]:
    if request.reference is not None:
        yield request.reference
    if request.last_frame is not None:
        yield request.last_frame
    yield from request.references


def needs_fetching(request: VideoRequest) -> bool:
    """True when the request has an image given as a URL."""
    return any(image.is_url for image in _images(request))


def wants_bytes(provider: Provider, request: VideoRequest) -> bool:
    """Whether ``provider`` needs the request's URL images as bytes.

    It says so for every model (`Provider.inline_references`, Veo), or the model the
    request goes to takes an image only as a file, never as a URL.
    """
    if provider.inline_references:
        return True
    try:
        catalog = provider.catalog
    except VidgenError:
        return False
    spec = catalog.get(request.model or catalog.default_model or "")
    if spec is None:
        return False
    needs = (
        (request.reference, spec.reference),
        (request.last_frame, spec.last_frame),
        *((image, spec.reference_images) for image in request.references),
    )
    return any(
        image is not None and image.is_url and "url" not in forms and "file" in forms
        for image, forms in needs
    )


def _fetch(env: Env, reference: Reference) -> Flow[Reference]:
    assert reference.url is not None
    url = httpx.URL(reference.url)
    # The same rules as an output URL on another host: never a private address, never
    # the provider's key (the request carries no credentials at all).
    check_output_url(env.provider, url)
    request = httpx.Request("GET", url, headers={"Accept": "image/*"})
    response: httpx.Response = yield from read_flow(env, request)
    if response.is_error:
        raise InvalidInput(
            f"the reference image {reference.url} could not be fetched (HTTP "
            f"{response.status_code}); check the URL, or pass Reference.from_path(...)",
            param="reference",
        )
    data = response.content
    if len(data) > MAX_IMAGE_BYTES:
        raise ProtocolError(
            f"the reference image {reference.url} is {len(data)} bytes, more than vidgen "
            f"fetches ({MAX_IMAGE_BYTES}); shrink it and pass it as a file",
            provider=env.provider.name,
        )
    name = url.path.rsplit("/", 1)[-1] or "reference"
    try:
        return Reference.from_bytes(data, filename=name)
    except ValueError as exc:
        raise InvalidInput(
            f"{reference.url} is not an image vidgen can send ({exc})", param="reference"
        ) from exc


def fetch_references_flow(env: Env, request: VideoRequest) -> Flow[VideoRequest]:
    """The request with every image given as a URL replaced by its bytes."""
    changes: dict[str, Any] = {}
    if request.reference is not None and request.reference.is_url:
        changes["reference"] = yield from _fetch(env, request.reference)
    if request.last_frame is not None and request.last_frame.is_url:
        changes["last_frame"] = yield from _fetch(env, request.last_frame)
    if any(image.is_url for image in request.references):
        fetched = []
        for image in request.references:
            fetched.append((yield from _fetch(env, image)) if image.is_url else image)
        changes["references"] = tuple(fetched)
    return attrs.evolve(request, **changes) if changes else request
