"""Where vidgen keeps its files: ``$VIDGEN_HOME``, else the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["HOME_ENV", "default_home"]

HOME_ENV = "VIDGEN_HOME"


def default_home() -> Path:
    """``$VIDGEN_HOME``, else the user data folder (``~/.local/share/vidgen`` on Linux)."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # only needed here

    return Path(platformdirs.user_data_dir("vidgen"))
