"""Puts tests/core on the import path, so the ledger tests there can run here on both
databases (imported, never copied)."""

from __future__ import annotations

import sys
from pathlib import Path

CORE = str(Path(__file__).resolve().parent.parent / "core")
if CORE not in sys.path:
    sys.path.insert(0, CORE)
