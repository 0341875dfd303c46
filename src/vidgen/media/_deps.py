"""The optional packages behind real videos: PyAV (``av``) and Pillow.

They are an extra (``vidgen[video]``), not core dependencies: FFmpeg's wheels are large,
and most users of vidgen download videos rather than make them. Every function that needs
them imports them through `require_video`, so ``import vidgen.media`` always works and a
missing extra surfaces as one clear `vidgen.ConfigError`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .._exceptions import ConfigError

#: What to run to get the optional packages; quoted so that shells do not glob the brackets.
VIDEO_EXTRA = "pip install 'vidgen[video]'"


def missing_video_message(missing: str) -> str:
    """The message for a missing ``av`` or ``Pillow``, saying how to install it."""
    return (
        f"making or reading videos needs PyAV and Pillow ({missing} is not installed): "
        f"install the extra with `{VIDEO_EXTRA}`"
    )


def require_video() -> tuple[ModuleType, ModuleType]:
    """Import ``av`` and ``PIL.Image``, or say how to install them.

    Returns:
        The ``av`` module and the ``PIL.Image`` module.

    Raises:
        ConfigError: one of them is not installed; the message names the extra.
    """
    return require_av(), require_pillow()


def require_av() -> ModuleType:
    """Import ``av``, or say how to install it (probing needs only PyAV).

    Raises:
        ConfigError: PyAV is not installed; the message names the extra.
    """
    return _import("av", "av")


def require_pillow() -> ModuleType:
    """Import ``PIL.Image``, or say how to install it (thumbnails need only Pillow).

    Raises:
        ConfigError: Pillow is not installed; the message names the extra.
    """
    return _import("PIL.Image", "Pillow")


def video_available() -> bool:
    """True when both optional packages import."""
    try:
        require_video()
    except ConfigError:
        return False
    return True


def _import(module: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(missing_video_message(package)) from exc
