"""Storyboards: a film described as shots, each one clip, joined in order.

A `Storyboard` is a tuple of `Shot`s and the defaults they share (provider or profile,
model, aspect, resolution, continuity). It is read from TOML (top-level keys are the
defaults, ``[[shots]]`` the shots; a shot may override any default) or built in Python.
With ``continuity = "last-frame"`` every shot after the first starts from the previous
shot's last frame. `Client.render` carries one out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from ._exceptions import ConfigError
from ._public import public
from ._reference import Reference
from ._request import VideoRequest

__all__ = [
    "Continuity",
    "ReferenceFit",
    "Shot",
    "Storyboard",
    "chain",
    "chain_durations",
    "draft_storyboard",
    "load_storyboard",
]

#: How one shot leads into the next.
Continuity = Literal["last-frame", "none"]
#: How a first frame of another shape is made to fit: fill and crop, letterbox, or refuse.
ReferenceFit = Literal["crop", "pad", "strict"]

_CONTINUITY = ("last-frame", "none")
_REFERENCE_FIT = ("crop", "pad", "strict")
_SHARED = ("provider", "profile", "model", "aspect", "resolution", "audio", "negative_prompt")
_SHOT_KEYS = {"prompt", "duration", "reference", "seed", *_SHARED}
_TOP_KEYS = {"title", "continuity", "reference_fit", "shots", *_SHARED}


@public
@attrs.frozen(kw_only=True)
class Shot:
    """One clip of a storyboard.

    Attributes:
        prompt: what the shot shows.
        duration: its length in seconds (None: the model's default).
        model, profile, provider: where it is rendered, if not where the storyboard is.
        aspect, resolution, audio, negative_prompt: overrides of the storyboard's.
        reference: its first frame, instead of the previous shot's last one.
        seed: for models that take one.
    """

    prompt: str
    duration: int | None = None
    model: str | None = None
    profile: str | None = None
    provider: str | None = None
    aspect: str | None = None
    resolution: str | None = None
    audio: bool | None = None
    negative_prompt: str | None = None
    reference: Reference | None = None
    seed: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.profile is not None and self.provider is not None:
            raise ConfigError("a shot names a profile or a provider, not both")
        # Checks the prompt, duration, aspect and the rest exactly as a request would.
        VideoRequest(
            prompt=self.prompt,
            duration=self.duration,
            aspect=self.aspect,
            resolution=self.resolution,
            audio=self.audio,
            negative_prompt=self.negative_prompt,
            seed=self.seed,
        )


def _shots(value: Sequence[Shot]) -> tuple[Shot, ...]:
    shots = tuple(value)
    for shot in shots:
        if not isinstance(shot, Shot):
            raise ConfigError(
                f"a storyboard's shots are vidgen.Shot values, not {type(shot).__name__}"
            )
    return shots


@public
@attrs.frozen(kw_only=True)
class Storyboard:
    """A film as shots, with the defaults they share.

    Attributes:
        shots: the shots, in order.
        title: a name for people (ledger and progress).
        provider, profile, model, aspect, resolution, audio, negative_prompt: defaults for
            every shot.
        continuity: ``last-frame`` (each shot after the first starts from the last frame
            of the one before) or ``none``.
        reference_fit: how a first frame of another shape is fitted: ``crop``, ``pad`` or
            ``strict`` (refuse).
    """

    shots: tuple[Shot, ...] = attrs.field(converter=_shots)
    title: str | None = None
    provider: str | None = None
    profile: str | None = None
    model: str | None = None
    aspect: str | None = None
    resolution: str | None = None
    audio: bool | None = None
    negative_prompt: str | None = None
    continuity: Continuity = "last-frame"
    reference_fit: ReferenceFit = "crop"

    def __attrs_post_init__(self) -> None:
        if not self.shots:
            raise ConfigError("a storyboard needs at least one shot ([[shots]] with a prompt)")
        if self.continuity not in _CONTINUITY:
            raise ConfigError(f"continuity must be 'last-frame' or 'none', not {self.continuity!r}")
        if self.reference_fit not in _REFERENCE_FIT:
            raise ConfigError(
                f"reference_fit must be 'crop', 'pad' or 'strict', not {self.reference_fit!r}"
            )
        if self.profile is not None and self.provider is not None:
            raise ConfigError("a storyboard names a profile or a provider, not both")

    def target_of(self, shot: Shot) -> tuple[str | None, str | None]:
        """The (profile, provider) a shot is rendered by (None, None: the client's own)."""
        if shot.profile is not None or shot.provider is not None:
            return shot.profile, shot.provider
        return self.profile, self.provider

    def request_for(self, index: int, reference: Reference | None = None) -> VideoRequest:
        """The request of shot ``index``, its first frame ``reference`` (or its own)."""
        shot = self.shots[index]
        return VideoRequest(
            prompt=shot.prompt,
            duration=shot.duration,
            aspect=shot.aspect or self.aspect,
            resolution=shot.resolution or self.resolution,
            model=shot.model or self.model,
            audio=shot.audio if shot.audio is not None else self.audio,
            negative_prompt=shot.negative_prompt or self.negative_prompt,
            seed=shot.seed,
            reference=shot.reference or reference,
        )

    def shot_key(self, index: int, reference_sha256: str | None) -> str:
        """What makes a rendered shot reusable: its request and the frame it starts from.

        An edited shot gets a new key (and is rendered again); the shots before it keep
        theirs, so a retry never pays for them twice.
        """
        shot = self.shots[index]
        profile, provider = self.target_of(shot)
        request = self.request_for(index)
        fields = {
            "prompt": request.prompt,
            "duration": request.duration,
            "aspect": request.aspect,
            "resolution": request.resolution,
            "model": request.model,
            "audio": request.audio,
            "negative_prompt": request.negative_prompt,
            "seed": request.seed,
            "profile": profile,
            "provider": provider,
            "reference": reference_sha256,
            "own_reference": hashlib.sha256(shot.reference.data).hexdigest()
            if shot.reference is not None and shot.reference.data is not None
            else (shot.reference.url if shot.reference is not None else None),
        }
        text = json.dumps(fields, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def to_mapping(self) -> dict[str, Any]:
        """The storyboard as plain data (`from_mapping` reads it back), images included."""
        data: dict[str, Any] = {
            key: getattr(self, key)
            for key in ("title", "continuity", "reference_fit", *_SHARED)
            if getattr(self, key) is not None
        }
        shots = []
        for shot in self.shots:
            fields: dict[str, Any] = {
                key: getattr(shot, key)
                for key in ("prompt", "duration", "seed", *_SHARED)
                if getattr(shot, key) is not None
            }
            if shot.reference is not None:
                fields["reference"] = image_data(shot.reference)
            shots.append(fields)
        data["shots"] = shots
        return data

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, where: str = "storyboard", base: Path | None = None
    ) -> Storyboard:
        """A storyboard from parsed TOML (or any mapping of the same shape).

        Raises:
            ConfigError: an unknown key, a missing prompt, a bad value (says where).
        """
        unknown = sorted(set(data) - _TOP_KEYS)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {unknown[0]!r}; a storyboard takes "
                + ", ".join(sorted(_TOP_KEYS))
            )
        raw_shots = data.get("shots")
        if not isinstance(raw_shots, list) or not raw_shots:
            raise ConfigError(f"{where}: no shots; add [[shots]] tables, each with a prompt")
        shots = []
        for number, raw in enumerate(raw_shots, start=1):
            shots.append(_shot(raw, f"{where}: shot {number}", base))
        try:
            return cls(shots=shots, **{k: v for k, v in data.items() if k != "shots"})
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from exc

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Storyboard:
        """Read a storyboard file. Image paths in it are relative to the file.

        Raises:
            ConfigError: the file cannot be read or is not a valid storyboard.
        """
        from ._catalog import parse_toml

        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read storyboard {file}: {exc.strerror or exc}") from exc
        try:
            data = parse_toml(text)
        except ValueError as exc:
            raise ConfigError(f"{file} is not valid TOML: {exc}") from exc
        return cls.from_mapping(data, where=str(file), base=file.parent)


def _shot(raw: Any, where: str, base: Path | None) -> Shot:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table with a prompt")
    unknown = sorted(set(raw) - _SHOT_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; a shot takes " + ", ".join(sorted(_SHOT_KEYS))
        )
    if not raw.get("prompt"):
        raise ConfigError(f"{where} has no prompt")
    fields = dict(raw)
    image = fields.pop("reference", None)
    if image is not None:
        fields["reference"] = image_reference(image, where, base)
    try:
        return Shot(**fields)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def image_data(reference: Reference) -> dict[str, Any]:
    """An image as JSON-ready data (its URL, or its bytes in base64), for the ledger."""
    if reference.url is not None:
        return {"url": reference.url}
    return {
        "data": base64.b64encode(reference.data or b"").decode("ascii"),
        "filename": reference.filename,
    }


def image_reference(value: Any, where: str, base: Path | None) -> Reference:
    """An image from a file's text: a path (relative to ``base``), an https URL, or the
    data `image_data` wrote.

    Raises:
        ConfigError: it cannot be read (the message starts with ``where``).
    """
    if isinstance(value, Mapping):
        # As `Storyboard.to_mapping` writes it (a storyboard kept in the ledger).
        try:
            if "url" in value:
                return Reference.from_url(str(value["url"]))
            return Reference.from_bytes(
                base64.b64decode(str(value["data"])), filename=value.get("filename")
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: the reference image cannot be read back: {exc}") from exc
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: reference is an image path or an https URL")
    if value.startswith(("http://", "https://")):
        try:
            return Reference.from_url(value)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
    path = Path(value)
    if base is not None and not path.is_absolute():
        path = base / path
    try:
        return Reference.from_path(path)
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such image {path}") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def load_storyboard(source: str | os.PathLike[str] | Mapping[str, Any] | Storyboard) -> Storyboard:
    """A storyboard from a file path, a mapping, or itself."""
    if isinstance(source, Storyboard):
        return source
    if isinstance(source, Mapping):
        return Storyboard.from_mapping(source)
    return Storyboard.from_toml(source)


def chain(
    request: VideoRequest, durations: Sequence[int], *, continuity: Continuity = "last-frame"
) -> Storyboard:
    """One request made into shots of ``durations`` (a video longer than one clip)."""
    shots = [
        Shot(
            prompt=request.prompt,
            duration=seconds,
            reference=request.reference if index == 0 else None,
            seed=request.seed,
        )
        for index, seconds in enumerate(durations)
    ]
    return Storyboard(
        shots=shots,
        model=request.model,
        aspect=request.aspect,
        resolution=request.resolution,
        audio=request.audio,
        negative_prompt=request.negative_prompt,
        continuity=continuity,
    )


def chain_durations(total: int, offered: Sequence[int]) -> list[int]:
    """Clip lengths the model offers that add up to ``total`` seconds, fewest clips first.

    Raises:
        ValueError: no combination of the offered durations adds up to ``total``.
    """
    options = sorted(set(offered), reverse=True)
    best: dict[int, list[int]] = {0: []}
    for amount in range(1, total + 1):
        candidates = [best[amount - d] + [d] for d in options if d <= amount and amount - d in best]
        if candidates:
            best[amount] = min(candidates, key=len)
    if total not in best:
        raise ValueError(
            f"{total} s cannot be made of clips of {', '.join(map(str, sorted(options)))} s"
        )
    return sorted(best[total], reverse=True)


def draft_storyboard(
    storyboard: Storyboard, clients: Mapping[tuple[str | None, str | None], Any]
) -> Storyboard:
    """The storyboard at the shortest length and lowest tier each shot's model offers.

    A preview that costs a fraction of the film: same prompts, same continuity.

    Args:
        storyboard: the film.
        clients: the client for each shot's (profile, provider) (see `Storyboard.target_of`).
    """
    from ._sizes import resolution_pixels

    shots = []
    for index, shot in enumerate(storyboard.shots):
        client = clients[storyboard.target_of(shot)]
        catalog = client.provider.catalog
        model = shot.model or storyboard.model or catalog.default_model
        spec = catalog.get(model) if model else None
        if spec is None:
            shots.append(shot)  # the plan will say what is wrong with it
            continue
        request = storyboard.request_for(index)
        aspect = request.aspect or next(
            (s.aspect for s in spec.sizes if s.size == spec.default_size), spec.sizes[0].aspect
        )
        tiers = [s for s in spec.sizes if s.aspect == aspect] or list(spec.sizes)
        lowest = min(tiers, key=lambda s: resolution_pixels(s.resolution))
        shots.append(
            attrs.evolve(
                shot, duration=min(spec.durations), resolution=lowest.resolution, aspect=aspect
            )
        )
    return attrs.evolve(
        storyboard, shots=shots, title=f"{storyboard.title or 'storyboard'} (draft)"
    )
