"""vidgen's own JSON form of its values (for ``--json`` output and stored records)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import cattrs

from ._catalog import ModelSpec
from ._models import Job, JobStatus
from ._request import Fitted, Offer, Quote

if TYPE_CHECKING:
    from ._ledger import LedgerEntry

__all__ = [
    "entry_to_dict",
    "fitted_to_dict",
    "job_from_dict",
    "job_to_dict",
    "offer_to_dict",
    "quote_to_dict",
]


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, lambda v, _: Decimal(str(v)))
    converter.register_unstructure_hook(dt.datetime, lambda v: v.isoformat())
    converter.register_structure_hook(dt.datetime, lambda v, _: dt.datetime.fromisoformat(v))
    converter.register_unstructure_hook(dt.date, lambda v: v.isoformat())
    converter.register_structure_hook(dt.date, lambda v, _: dt.date.fromisoformat(v))
    converter.register_unstructure_hook(JobStatus, lambda v: v.value)
    converter.register_structure_hook(JobStatus, lambda v, _: JobStatus(v))
    return converter


converter = _make_converter()


def job_to_dict(job: Job, *, raw: bool = False) -> dict[str, Any]:
    """A job as JSON-ready data (``raw`` adds the provider's JSON)."""
    data: dict[str, Any] = converter.unstructure(job)
    if not raw:
        data.pop("raw", None)
    else:
        data["raw"] = dict(job.raw)
    return data


def job_from_dict(data: dict[str, Any]) -> Job:
    """The inverse of `job_to_dict`."""
    return converter.structure(data, Job)


def quote_to_dict(quote: Quote) -> dict[str, Any]:
    """A quote as JSON-ready data."""
    result: dict[str, Any] = converter.unstructure(quote)
    return result


def fitted_to_dict(fitted: Fitted) -> dict[str, Any]:
    """The fitted values that will be sent, with warnings and adjustments."""
    return {
        "provider": fitted.provider,
        "model": fitted.model,
        "size": fitted.size,
        "seconds": fitted.seconds,
        "aspect": fitted.aspect,
        "resolution": fitted.resolution,
        "variants": fitted.variants,
        "audio": fitted.audio,
        "fps": fitted.spec.fps,
        "warnings": list(fitted.warnings),
        "adjustments": [
            {"field": a.field, "requested": a.requested, "sent": a.sent, "reason": a.reason}
            for a in fitted.adjustments
        ],
    }


def offer_to_dict(offer: Offer) -> dict[str, Any]:
    """An offer as JSON-ready data."""
    return {
        "provider": offer.provider,
        "profile": offer.profile,
        "model": offer.model,
        "available": offer.available,
        "reason": offer.reason,
        "retired": offer.retired,
        "retired_on": offer.retired_on.isoformat() if offer.retired_on else None,
        "lifecycle": converter.unstructure(offer.lifecycle) if offer.lifecycle else None,
        "fitted": fitted_to_dict(offer.fitted) if offer.fitted else None,
        "quote": quote_to_dict(offer.quote) if offer.quote else None,
    }


def model_to_dict(spec: ModelSpec) -> dict[str, Any]:
    """A catalog entry as JSON-ready data."""
    data: dict[str, Any] = converter.unstructure(spec)
    return data


def entry_to_dict(entry: LedgerEntry) -> dict[str, Any]:
    """A ledger entry as JSON-ready data (the callback token left out)."""
    data: dict[str, Any] = converter.unstructure(entry)
    data.pop("callback_token", None)
    if entry.job is not None:
        data["job"] = job_to_dict(entry.job)
    return data
