"""The job ledger: every paid job, recorded before it is sent, so none is ever lost.

`Ledger` (``ledger.py``) keeps the events of the lifecycle and answers what is unfinished,
what was spent and who is finishing what; `LedgerEntry` (``entry.py``) is one submit;
``schema.py`` holds the tables and migrations; ``sqlite.py`` the embedded database,
``postgres.py`` the database shared by workers on many machines; ``location.py`` says
which one to open.
"""

from .entry import (
    ACCEPTED,
    OUTCOME_UNKNOWN,
    REJECTED,
    SENDING,
    LedgerEntry,
    SubmitState,
)
from .ledger import HOME_ENV, Claim, Group, Item, Ledger, default_home
from .location import LEDGER_URL_ENV, describe_location, ledger_location

__all__ = [
    "ACCEPTED",
    "HOME_ENV",
    "LEDGER_URL_ENV",
    "OUTCOME_UNKNOWN",
    "REJECTED",
    "SENDING",
    "Claim",
    "Group",
    "Item",
    "Ledger",
    "LedgerEntry",
    "SubmitState",
    "default_home",
    "describe_location",
    "ledger_location",
]
