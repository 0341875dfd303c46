"""uvicorn, as the emulator runs it: servers for a thread and for the foreground, the
listening socket and the configuration.

Kept apart from `_server` so that naming `vidgen.emulator.Emulator` (a provider module
does at import time) costs nothing until an emulator is started.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Generator
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from ._app import EmulatorApp

__all__ = ["BackgroundServer", "ForegroundServer", "config", "listening_socket"]


class BackgroundServer(uvicorn.Server):
    """uvicorn without signal handlers: signals can only be caught on the main thread,
    and a test process's Ctrl-C belongs to the test runner."""

    def install_signal_handlers(self) -> None:  # uvicorn < 0.29
        pass

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:  # uvicorn >= 0.29
        yield


class ForegroundServer(uvicorn.Server):
    """uvicorn for the foreground: Ctrl-C (or SIGTERM) is a normal stop.

    uvicorn shuts down gracefully on those signals and then raises them again, so that
    an embedding program sees them; a SIGTERM raised again ends the process before
    `serve` can remove its temporary renders. Here the signal only stops the server, and
    `serve` returns (a second Ctrl-C still forces the exit).
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        names = ("SIGINT", "SIGTERM", "SIGBREAK")
        handled = [getattr(signal, name) for name in names if hasattr(signal, name)]
        originals = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off only on sockets that say they are TCP,
    # and with Nagle on, every answer (headers, then body) waits 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening before the port is announced: early clients wait in the backlog.
    sock.listen(128)
    sock.setblocking(False)
    return sock


def config(app: EmulatorApp, log_level: str, *, quiet: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_config=None if quiet else uvicorn.config.LOGGING_CONFIG,
        log_level=log_level,
        access_log=not quiet,
        lifespan="on",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=1,
    )
