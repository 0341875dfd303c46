"""The job ledger: every paid job, recorded before it is sent, so none is ever lost.

`Ledger` (``ledger.py``) keeps the events of the lifecycle and answers what is unfinished,
what was spent and who is finishing what; `LedgerEntry` (``entry.py``) is one submit;
``schema.py`` holds the tables and migrations; ``sqlite.py`` the embedded database.
"""

from .entry import (
    ACCEPTED,
    OUTCOME_UNKNOWN,
    REJECTED,
    SENDING,
    LedgerEntry,
    SubmitState,
)
from .ledger import HOME_ENV, Claim, Group, Ledger, default_home

__all__ = [
    "ACCEPTED",
    "HOME_ENV",
    "OUTCOME_UNKNOWN",
    "REJECTED",
    "SENDING",
    "Claim",
    "Group",
    "Ledger",
    "LedgerEntry",
    "SubmitState",
    "default_home",
]
