"""How many jobs one account works on at once (``max_in_flight``).

Video APIs cap the jobs an account may have running; the cap belongs to the account (a
key at an endpoint), not to one client object. So slots are kept per process, keyed by
the account and the limit: every client in the process that sends with the same key to
the same endpoint, under the same limit, shares them. A job takes a slot when its submit
starts and keeps it through its wait and download (see `vidgen.Client.generate`); a job
over the limit waits here for a slot, not in a vendor's error.

The key itself never appears: an account is named by a keyed hash of it, with a key made
fresh for each process.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import weakref
from typing import TYPE_CHECKING

from ._exceptions import VidgenError
from .provider import Provider

if TYPE_CHECKING:
    import asyncio

__all__ = ["DEFAULT_MAX_IN_FLIGHT", "SLOTS", "Slots", "account_of"]

#: Jobs one account works on at once when neither the profile, the client nor the
#: provider says otherwise. A safe default, not any vendor's documented cap.
DEFAULT_MAX_IN_FLIGHT = 16

_SALT = secrets.token_bytes(16)


def account_of(provider: Provider) -> str:
    """The account a provider sends as: its name, endpoint and a hash of its key.

    A provider without a key (the sandbox, a key-less relay, or one whose key is unset)
    is known by its endpoint alone.
    """
    fingerprint = ""
    if provider.has_key:
        try:
            key = provider.secret().reveal().encode()
        except VidgenError:
            key = b""
        if key:
            fingerprint = hashlib.blake2b(key, key=_SALT, digest_size=8).hexdigest()
    return f"{provider.name}|{provider.endpoint}|{fingerprint}"


class Slots:
    """The slots of every account in this process, for threads and for event loops.

    A thread waits on a semaphore; an async task waits on an ``asyncio.Semaphore`` of its
    own event loop (one per loop, as asyncio requires). The two are counted apart: a
    program that drives one account from sync and async code at once shares no slots
    between them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sync: dict[tuple[str, int], threading.BoundedSemaphore] = {}
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[tuple[str, int], asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()

    def for_thread(self, account: str, limit: int) -> threading.BoundedSemaphore:
        """The semaphore threads share for ``account`` under ``limit``."""
        with self._lock:
            key = (account, limit)
            if key not in self._sync:
                self._sync[key] = threading.BoundedSemaphore(limit)
            return self._sync[key]

    def for_loop(self, account: str, limit: int) -> asyncio.Semaphore:
        """The semaphore the running event loop's tasks share for ``account``."""
        import asyncio  # here: `import vidgen` stays light for sync users

        loop = asyncio.get_running_loop()
        with self._lock:
            per_loop = self._async.setdefault(loop, {})
            key = (account, limit)
            if key not in per_loop:
                per_loop[key] = asyncio.Semaphore(limit)
            return per_loop[key]

    def in_use(self, account: str, limit: int) -> int:
        """How many of the thread slots are taken now (for tests and progress displays)."""
        with self._lock:
            semaphore = self._sync.get((account, limit))
        return 0 if semaphore is None else limit - semaphore._value


#: The one registry of this process.
SLOTS = Slots()
