"""OpenRouter's ``GET /videos/models`` entries as ``catalog.toml`` model tables.

One mapping serves both the shipped ``catalog.toml`` (written by ``generate_catalog``
from a saved copy of the endpoint's answer) and ``vidgen prices refresh openrouter``
(`OpenRouterProvider.parse_catalog_refresh`), so the two can never disagree.

What the mapping reads from each model (OpenRouter's ``VideoModel``):

* ``supported_durations``, ``supported_resolutions``, ``supported_aspect_ratios`` and
  ``supported_sizes``: the durations and the pixel sizes, each filed under its aspect
  and tier. Where OpenRouter lists no sizes, vidgen computes the usual one for each
  aspect and tier (and says so in the model's notes);
* ``supported_frame_images``: a first frame and a last frame;
* ``generate_audio``: sound (true: on by default and switchable; false: silent;
  null: not said) and ``seed``;
* ``pricing_skus``: prices, read with the rules below;
* ``canonical_slug``, ``allowed_passthrough_parameters``: kept in ``wire`` and notes.

The pricing keys are not documented by OpenRouter. The rules here are the research
notes' reading of them (``research/hosts.md`` section 4.3), checked against the makers'
own prices where those are known; every price says in its note that it is an estimate
and that the job's ``usage.cost`` is what OpenRouter charges.

Nothing here does I/O or reads the clock: the source URL and the date come in as
arguments.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_SOURCE",
    "FAMILIES",
    "LIFECYCLES",
    "RESOLUTION_TIERS",
    "Rate",
    "catalog_tables",
    "model_table",
    "rate_for",
]

#: The public, unauthenticated listing every figure comes from.
DEFAULT_SOURCE = "https://openrouter.ai/api/v1/videos/models"

#: The catalog's default model, when the listing has it (a fast, widely hosted model).
DEFAULT_MODEL = "google/veo-3.1-fast"

#: The same model on every host has the same family id (``vidgen quote -m veo-3.1``).
FAMILIES: Mapping[str, str] = {
    "alibaba/happyhorse-1.0": "happyhorse-1.0",
    "alibaba/happyhorse-1.1": "happyhorse-1.1",
    "alibaba/wan-2.6": "wan-2.6",
    "alibaba/wan-2.7": "wan-2.7",
    "black-forest-labs/flux-3-video": "flux-3-video",
    "bytedance/seedance-1-5-pro": "seedance-1.5-pro",
    "bytedance/seedance-2.0": "seedance-2.0",
    "bytedance/seedance-2.0-fast": "seedance-2.0-fast",
    "bytedance/seedance-2.0-mini": "seedance-2.0-mini",
    "bytedance/seedance-2.5": "seedance-2.5",
    "google/veo-3.1": "veo-3.1",
    "google/veo-3.1-fast": "veo-3.1-fast",
    "google/veo-3.1-lite": "veo-3.1-lite",
    "kwaivgi/kling-v3.0-pro": "kling-v3-pro",
    "kwaivgi/kling-v3.0-std": "kling-v3-std",
    "kwaivgi/kling-video-o1": "kling-o1",
    "minimax/hailuo-2.3": "hailuo-2.3",
    "minimax/hailuo-3": "hailuo-3",
    "openai/sora-2-pro": "sora-2-pro",
    "runway/aleph-2": "runway-aleph-2",
    "runway/gen-4.5": "runway-gen-4.5",
    "x-ai/grok-imagine-video": "grok-imagine-video",
    "x-ai/grok-imagine-video-1.5": "grok-imagine-video-1.5",
}

_SORA_SHUTDOWN = "https://developers.openai.com/api/docs/guides/video-generation"

#: What the listing cannot say: shutdowns announced by the model's maker.
LIFECYCLES: Mapping[str, Mapping[str, Any]] = {
    "openai/sora-2-pro": {
        "status": "deprecated",
        "retired_on": dt.date(2026, 9, 24),
        "source": _SORA_SHUTDOWN,
        "note": (
            "OpenAI shut its Sora API down on 2026-09-24; OpenRouter still listed "
            "openai/sora-2-pro on 2026-08-21, and whether it still routes it is not confirmed"
        ),
    },
}

#: OpenRouter's resolution names and vidgen's tiers (the short side in pixels).
RESOLUTION_TIERS: Mapping[str, str] = {
    "480p": "480p",
    "720p": "720p",
    "1080p": "1080p",
    "2K": "1440p",
    "4K": "2160p",
}

_SHORT_SIDE = {"480p": 480, "720p": 720, "1080p": 1080, "1440p": 1440, "2160p": 2160}
#: Pixels of the 16:9 size of each tier, to file sizes that keep a tier's area
#: (Seedance 2.5's 1112x834 is a 720p size).
_TIER_PIXELS = {"480p": 854 * 480, "720p": 1280 * 720, "1080p": 1920 * 1080}
_TIER_PIXELS.update({"1440p": 2560 * 1440, "2160p": 3840 * 2160})

_ESTIMATE = (
    "OpenRouter does not document its pricing_skus keys, so this is vidgen's reading of "
    "them (an estimate); the job's usage.cost is what OpenRouter charges"
)

_NO_VIDEO_INPUT = "it edits or upscales a video, and vidgen's request carries no video input"


# -- prices -------------------------------------------------------------------------------


class Rate:
    """One price read from ``pricing_skus``: an amount per second or per video token.

    Attributes:
        amount: USD per second (``unit == "second"``) or per token (``"token"``).
        unit: ``"second"`` or ``"token"``.
        keys: the ``pricing_skus`` keys it was read from.
    """

    __slots__ = ("amount", "keys", "unit")

    def __init__(self, amount: Decimal, unit: str, keys: Sequence[str]) -> None:
        self.amount = amount
        self.unit = unit
        self.keys = tuple(keys)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rate) and (self.amount, self.unit, self.keys) == (
            other.amount,
            other.unit,
            other.keys,
        )

    def __hash__(self) -> int:
        return hash((self.amount, self.unit, self.keys))

    def __repr__(self) -> str:
        return f"Rate({self.amount} per {self.unit}, keys={list(self.keys)})"


def _skus(raw: Any) -> dict[str, Decimal]:
    """The price map with every usable value as a Decimal (junk values dropped)."""
    if not isinstance(raw, Mapping):
        return {}
    found: dict[str, Decimal] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or isinstance(value, bool):
            continue
        if not isinstance(value, (str, int, float, Decimal)):
            continue
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            continue
        if amount.is_finite() and amount >= 0:
            found[key] = amount
    return found


def rate_for(
    skus: Mapping[str, Any], *, resolution: str, audio: bool | None, mode: str = "text"
) -> Rate | None:
    """The price of one second of video (or of one video token) at one tier.

    Args:
        skus: the model's ``pricing_skus``.
        resolution: OpenRouter's resolution name (``"720p"``, ``"4K"``).
        audio: True with sound, False silent, None where the model does not say.
        mode: ``"text"`` or ``"image"`` (text-to-video or image-to-video).

    Returns:
        The rate, or None when the keys give none for this tier.
    """
    prices = _skus(skus)
    res = resolution.lower()
    qualifier = None if audio is None else ("_with_audio" if audio else "_without_audio")

    def pick(prefix: str) -> tuple[Decimal, str] | None:
        names = [f"{prefix}{qualifier}_{res}", f"{prefix}{qualifier}"] if qualifier else []
        names += [f"{prefix}_{res}", prefix]
        for name in names:
            if name in prices:
                return prices[name], name
        return None

    if any(key.startswith("video_tokens") for key in prices):
        found = pick("video_tokens")
        return Rate(found[0], "token", [found[1]]) if found else None
    if any(key.startswith(("text_to_video_", "image_to_video_")) for key in prices):
        name = f"{mode}_to_video_duration_seconds_{res}"
        if name in prices:
            amount, keys = prices[name], [name]
            with_audio = prices.get("duration_seconds_with_audio")
            base = prices.get("duration_seconds")
            if audio and with_audio is not None and base is not None:
                # The sound premium is listed once, for every tier and mode.
                amount += with_audio - base
                keys += ["duration_seconds_with_audio", "duration_seconds"]
            return Rate(amount, "second", keys)
    if any(key.startswith("duration_seconds") for key in prices):
        found = pick("duration_seconds")
        return Rate(found[0], "second", [found[1]]) if found else None
    for prefix in ("cents_per_second_output", "cents_per_video_output_second"):
        if any(key.startswith(prefix) for key in prices):
            found = pick(prefix)
            if found:
                return Rate(found[0] / 100, "second", [found[1]])
    return None


def _extras(prices: Mapping[str, Decimal]) -> list[str]:
    """What the per-second or per-token price leaves out, for the price's note."""
    notes = []
    if "cents_per_image_input" in prices:
        cost = _plain(prices["cents_per_image_input"] / 100)
        notes.append(f"plus ${cost} per input image (cents_per_image_input), not in the quote")
    if "reference_images" in prices:
        cost = _plain(prices["reference_images"])
        notes.append(f"plus ${cost} per reference image (reference_images), not in the quote")
    if "minimum_cents_per_generation" in prices:
        cost = _plain(prices["minimum_cents_per_generation"] / 100)
        notes.append(f"at least ${cost} per video (minimum_cents_per_generation)")
    if any("continuation" in key for key in prices):
        notes.append("continuing a job (previous_job_id, which vidgen never sends) costs more")
    if any(key.endswith("_with_video_input") for key in prices):
        notes.append("video inputs have their own rate (vidgen sends none)")
    return notes


def _plain(amount: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: ``7E-6`` becomes ``0.000007``."""
    text = format(amount.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def _money(amount: Decimal) -> str:
    """A price string as the catalog writes it (at least two decimals: ``0.40``)."""
    text = _plain(amount)
    whole, _, cents = text.partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"


def _price_tables(
    skus: Any,
    tiers: Sequence[tuple[str, str]],
    audio_states: Sequence[bool | None],
    *,
    mode: str,
    source: str,
    as_of: dt.date | None,
) -> list[dict[str, Any]]:
    """The catalog's ``[[models.prices]]`` for one mode: one table per distinct rate."""
    prices = _skus(skus)
    extras = _extras(prices)
    groups: dict[tuple[Rate, bool | None], list[str]] = {}
    for tier, wire in tiers:
        rates = {
            state: rate_for(prices, resolution=wire, audio=state, mode=mode)
            for state in audio_states
        }
        on, off = rates.get(True), rates.get(False)
        if on is not None and off is not None and (on.amount, on.unit) == (off.amount, off.unit):
            # The same price with and without sound: one entry for both.
            rates = {None: Rate(on.amount, on.unit, list(dict.fromkeys(on.keys + off.keys)))}
        for state, rate in rates.items():
            if rate is not None:
                groups.setdefault((rate, state), []).append(tier)
    tables = []
    for (rate, state), covered in groups.items():
        table: dict[str, Any] = {}
        keys = ", ".join(f"{key} = {_plain(prices[key])}" for key in rate.keys)
        if rate.unit == "token":
            table["per_million_tokens"] = _plain(rate.amount * 1_000_000)
            table["token_fps"] = 24
            read = f"USD {keys} per video token"
        else:
            table["per_second"] = _money(rate.amount)
            unit = "US cents" if rate.keys[0].startswith("cents_") else "USD"
            read = f"{unit} {keys} per second"
        table["currency"] = "USD"
        table["resolutions"] = covered
        if state is not None:
            table["audio"] = state
        table["source"] = source
        if as_of is not None:
            table["as_of"] = as_of
        table["note"] = "; ".join([f"pricing_skus: {read}", *extras, _ESTIMATE])
        tables.append(table)
    return tables


# -- sizes --------------------------------------------------------------------------------


def _ratio(aspect: str) -> float:
    width, height = aspect.split(":")
    return int(width) / int(height)


def _aspect_of_size(width: int, height: int, aspects: Sequence[str]) -> str | None:
    """The model's aspect ratio nearest to a size's shape (within 4%)."""
    ratio = width / height
    best = min(aspects, key=lambda a: abs(math.log(_ratio(a) / ratio)))
    return best if abs(math.log(_ratio(best) / ratio)) <= math.log(1.04) else None


def _tier_of_size(width: int, height: int, tiers: Sequence[str]) -> str:
    """The tier a listed size belongs to: its short side, else the nearest area."""
    for tier in tiers:
        if min(width, height) == _SHORT_SIDE[tier]:
            return tier
    return min(tiers, key=lambda t: abs(_TIER_PIXELS[t] - width * height))


def _computed_size(aspect: str, tier: str) -> str:
    """The usual pixel size of an aspect at a tier: 1280x720 for 16:9 at 720p."""
    short = _SHORT_SIDE[tier]
    width, height = (int(n) for n in aspect.split(":"))

    def even(value: float) -> int:
        return round(value / 2) * 2

    if width >= height:
        return f"{even(short * width / height)}x{short}"
    return f"{short}x{even(short * height / width)}"


def _size_entry(size: str, aspect: str, tier: str) -> str | dict[str, str]:
    """The size as a string where vidgen derives the same aspect and tier, else a table."""
    width, height = (int(n) for n in size.split("x"))
    if _common_aspect(width, height) == aspect and f"{min(width, height)}p" == tier:
        return size
    return {"size": size, "aspect": aspect, "resolution": tier}


def _common_aspect(width: int, height: int) -> str:
    """The aspect vidgen itself files a size under (the rule of its ``aspect_of``)."""
    common = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21")
    ratio = width / height
    best = min(common, key=lambda a: abs(math.log(_ratio(a) / ratio)))
    if abs(math.log(_ratio(best) / ratio)) <= math.log(1.03):
        return best
    divisor = math.gcd(width, height)
    return f"{width // divisor}:{height // divisor}"


def _parse_size(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, str) or value.count("x") != 1:
        return None
    width, height = value.split("x")
    if not (width.isdigit() and height.isdigit()):
        return None
    if not (16 <= int(width) <= 16384 and 16 <= int(height) <= 16384):
        return None
    return int(width), int(height)


def _sizes(
    raw: Mapping[str, Any], aspects: Sequence[str], tiers: Sequence[str]
) -> tuple[list[tuple[str, str, str]], bool]:
    """Each (size, aspect, tier) the model renders, and whether vidgen computed them."""
    listed = raw.get("supported_sizes")
    found: dict[tuple[str, str], str] = {}
    if isinstance(listed, list) and listed:
        for value in listed:
            parsed = _parse_size(value)
            if parsed is None:
                continue
            aspect = _aspect_of_size(*parsed, aspects)
            if aspect is None:
                continue
            tier = _tier_of_size(*parsed, tiers)
            found.setdefault((aspect, tier), f"{parsed[0]}x{parsed[1]}")
        if found:
            ordered = [(found[(a, t)], a, t) for t in tiers for a in aspects if (a, t) in found]
            return ordered, False
    return [(_computed_size(a, t), a, t) for t in tiers for a in aspects], True


# -- one model ----------------------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _aspects(raw: Mapping[str, Any]) -> list[str]:
    found = []
    for value in _strings(raw.get("supported_aspect_ratios")):
        parts = value.split(":")
        if len(parts) == 2 and all(p.isdigit() and 0 < int(p) <= 64 for p in parts):
            found.append(value)
    return list(dict.fromkeys(found))


def _durations(raw: Mapping[str, Any]) -> list[int]:
    value = raw.get("supported_durations")
    if not isinstance(value, list):
        return []
    return sorted(
        {d for d in value if isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 600}
    )


def model_table(
    raw: Any, *, source: str = DEFAULT_SOURCE, as_of: dt.date | None = None
) -> tuple[dict[str, Any] | None, str | None]:
    """One ``VideoModel`` as a catalog model table.

    Args:
        raw: one entry of the endpoint's ``data``.
        source: where the entry was read (cited by every price).
        as_of: the date it was read (None when unknown).

    Returns:
        ``(table, None)``, or ``(None, reason)`` for a model vidgen cannot send to.
    """
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) or not raw["id"]:
        return None, "not a model entry (no id)"
    model_id: str = raw["id"]
    durations = _durations(raw)
    aspects = _aspects(raw)
    wire_names = [r for r in _strings(raw.get("supported_resolutions")) if r in RESOLUTION_TIERS]
    if not durations or not aspects or not wire_names:
        if raw.get("upscale_factor") or raw.get("supported_durations") is None:
            return None, _NO_VIDEO_INPUT
        return None, "it lists no durations, aspect ratios or known resolutions"
    tier_wire = {RESOLUTION_TIERS[r]: r for r in wire_names}
    tiers = sorted(tier_wire, key=lambda t: _SHORT_SIDE[t])
    sizes, computed = _sizes(raw, aspects, tiers)
    frames = _strings(raw.get("supported_frame_images"))
    audio_flag = raw.get("generate_audio")
    audio = audio_flag if isinstance(audio_flag, bool) else None
    prices = _skus(raw.get("pricing_skus"))

    table: dict[str, Any] = {"id": model_id}
    family = FAMILIES.get(model_id)
    if family:
        table["family"] = family
    name = raw.get("name")
    table["description"] = f"{name} (through OpenRouter)" if isinstance(name, str) else model_id
    table["durations"] = durations
    table["default_duration"] = (
        5 if 5 in durations else next((d for d in durations if d >= 4), durations[0])
    )
    table["sizes"] = [_size_entry(size, aspect, tier) for size, aspect, tier in sizes]
    landscape = [s for s, a, _ in sizes if a == "16:9"]
    preferred = [s for s, a, t in sizes if a == "16:9" and t == "720p"]
    table["default_size"] = (preferred or landscape or [sizes[0][0]])[0]
    if "first_frame" in frames:
        table["reference"] = ["file", "url"]
    if "last_frame" in frames:
        table["last_frame"] = ["file", "url"]
    if "reference_images" in prices or any(k.endswith("_with_video_input") for k in prices):
        # Priced reference inputs are the only sign in the listing that a model takes them.
        table["reference_images"] = ["file", "url"]
    if audio is not None:
        table["audio"] = audio
        table["audio_optional"] = audio
    table["seed"] = raw.get("seed") is True
    table["callbacks"] = True
    table["source"] = source

    notes = []
    slug = raw.get("canonical_slug")
    if isinstance(slug, str) and slug and slug != model_id:
        notes.append(f"OpenRouter snapshot {slug}")
    if computed:
        notes.append(
            "OpenRouter lists no pixel sizes for this model: the sizes are vidgen's estimate "
            "for each aspect and tier (the request sends aspect_ratio and resolution)"
        )
    if audio is None:
        notes.append("OpenRouter does not say whether this model renders sound")
    passthrough = _strings(raw.get("allowed_passthrough_parameters"))
    if passthrough:
        notes.append(
            "provider passthrough parameters: "
            + ", ".join(passthrough)
            + " (send them through provider_options['openrouter']['provider'])"
        )
    if notes:
        table["notes"] = notes

    wire: dict[str, Any] = {"resolutions": {t: tier_wire[t] for t in tiers}}
    if isinstance(slug, str) and slug:
        wire["canonical_slug"] = slug
    audio_states: list[bool | None] = [True, False] if audio else [audio]
    tier_pairs = [(t, tier_wire[t]) for t in tiers]
    text_prices = _price_tables(
        prices, tier_pairs, audio_states, mode="text", source=source, as_of=as_of
    )
    if "first_frame" in frames and any(k.startswith("image_to_video_") for k in prices):
        image_prices = _price_tables(
            prices, tier_pairs, audio_states, mode="image", source=source, as_of=as_of
        )
        if _amounts(image_prices) != _amounts(text_prices):
            wire["image_to_video_prices"] = image_prices
    table["wire"] = wire
    lifecycle = LIFECYCLES.get(model_id)
    if lifecycle:
        table["lifecycle"] = dict(lifecycle)
    if text_prices:
        table["prices"] = text_prices
    return table, None


def _amounts(tables: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Price tables without their notes, to tell whether two sets charge the same."""
    return [{k: v for k, v in table.items() if k != "note"} for table in tables]


def catalog_tables(
    models: Iterable[Any], *, source: str = DEFAULT_SOURCE, as_of: dt.date | None = None
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Every model vidgen can send to, and the ``(id, reason)`` of those it cannot."""
    tables: list[dict[str, Any]] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in models:
        table, reason = model_table(raw, source=source, as_of=as_of)
        if table is None:
            ident = raw.get("id") if isinstance(raw, Mapping) else None
            skipped.append((str(ident) if isinstance(ident, str) else "?", reason or ""))
        elif table["id"] not in seen:
            seen.add(table["id"])
            tables.append(table)
    return tables, skipped
