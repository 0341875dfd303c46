"""`serve`: a `WebhookApp` under uvicorn in the foreground (``vidgen webhooks serve``).

It listens on 127.0.0.1 unless told otherwise: put it behind a TLS reverse proxy that
forwards ``POST /{route}`` (see docs/webhooks.md). Ctrl-C and SIGTERM stop it gracefully.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ._app import WebhookApp

__all__ = ["banner", "serve"]

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def banner(origin: str, app: WebhookApp) -> str:
    """What a user needs once the receiver listens: each route's URL and how it checks."""
    lines = [f"vidgen webhooks on {origin}"]
    for route in app.routes.values():
        lines.append(f"  {origin}{route.describe()}")
    for line in app.skipped:
        lines.append(f"  (not served: {line})")
    if app.download_to is not None:
        lines.append(f"  finished videos are saved in {app.download_to}")
    lines.append(f"  ledger: {app.ledger.where}")
    if not origin.startswith(("http://127.", "http://[::1]", "http://localhost")):
        lines.append("  listening beyond this machine: put a TLS reverse proxy in front of it")
    lines.append("Stop it with Ctrl-C.")
    return "\n".join(lines)


def _logging(level: str) -> None:
    """vidgen's log lines (deliveries taken and refused, downloads) on stderr."""
    logger = logging.getLogger("vidgen")
    if not any(getattr(h, "_vidgen_webhooks", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._vidgen_webhooks = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level.upper())


def serve(
    app: WebhookApp,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    port_file: str | Path | None = None,
    log_level: str = "info",
    on_ready: Callable[[str], object] | None = None,
    lifetime: float | None = None,
) -> None:
    """Serve ``app`` in the foreground until interrupted; then close it and return.

    Args:
        app: the receiver.
        host: the address to listen on (default loopback only).
        port: the port; 0 picks a free one (see ``port_file``).
        port_file: write the port here once listening (atomically).
        log_level: uvicorn's and vidgen's log level.
        on_ready: called with the origin (``http://127.0.0.1:PORT``) once listening.
        lifetime: stop by itself after this many seconds.

    Raises:
        OSError: the address cannot be listened on.
        ValueError: an unknown log level.
    """
    import uvicorn

    from ..emulator._uvicorn import ForegroundServer, listening_socket

    if log_level not in _LOG_LEVELS:
        raise ValueError(f"log level must be one of {', '.join(_LOG_LEVELS)}, not {log_level!r}")
    _logging(log_level)
    timer = None
    try:
        sock = listening_socket(host, port)
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level=log_level,
            access_log=False,  # the app logs what it took or refused, without tokens
            lifespan="on",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=5,
            server_header=False,
            proxy_headers=False,
        )
        server = ForegroundServer(config)
        bound = sock.getsockname()[1]
        origin = f"http://{f'[{host}]' if ':' in host else host}:{bound}"
        if on_ready is not None:
            on_ready(origin)
        if port_file is not None:
            target = Path(port_file)
            partial = target.with_name(f".{target.name}.part")
            partial.write_text(str(bound))
            partial.replace(target)
        if lifetime is not None:
            timer = threading.Timer(lifetime, lambda: setattr(server, "should_exit", True))
            timer.daemon = True
            timer.start()
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        if timer is not None:
            timer.cancel()
        app.close()
