"""Running the emulator: in a background thread (`Emulator`) or in the foreground (`serve`)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ._faults import PROTOCOL_NAMES, Fault, parse_fault
from ._jobs import ModelProfile, Timing

if TYPE_CHECKING:
    from ._app import EmulatorApp
    from ._stats import Stats
    from ._uvicorn import BackgroundServer

# The server (uvicorn, asyncio) and the protocols are imported when an emulator is made
# or started, not with this module: a provider that names `Emulator` at import time (the
# sandbox) must not slow down every `vidgen` command.
PROTOCOLS = PROTOCOL_NAMES
"""Every protocol the emulator speaks: ``"openai"``, ``"aivideoapi"`` and ``"azure"``."""

__all__ = ["BASE_PATHS", "Emulator", "PROTOCOLS", "serve"]

#: Each protocol's root, as the provider's ``base_url`` setting wants it.
BASE_PATHS: Mapping[str, str] = {
    "openai": "/v1",
    "azure": "/openai/v1",
    "aivideoapi": "/aivideoapi/v1",
}
_START_TIMEOUT = 10.0


class Emulator:
    """The emulator on 127.0.0.1, served by uvicorn from a background thread.

    ::

        with vidgen.emulator.Emulator(speed=10) as emulator:
            client = vidgen.Client(provider="openai-compatible", base_url=emulator.base_url("openai"), ...)
            ...
            assert emulator.stats().total_submits == 1

    The arguments after ``host`` and ``port`` are those of `EmulatorApp`.

    Args:
        host: the address to listen on (loopback by default).
        port: the port; 0 picks a free one (see `port` and `url` once started).
        protocols: the protocols to speak.
        speed: emulated seconds per second of ``clock``.
        clock: the emulator's clock (default `time.time`).
        timing: how long jobs take, in emulated seconds.
        models: model id to `ModelProfile`, on top of the built-in table.
        default_model: the profile of other models.
        faults: scripted faults, matched in order (`Fault` values or their CLI text).
        state_dir: a folder to keep jobs and renders in, across emulator processes.
        api_key: the key clients must send; None accepts any.
        public_url: the origin to use in output URLs.
        prerender: render videos as soon as jobs complete.
        require_video: fail at `start` unless PyAV and Pillow are installed.
        log_level: uvicorn's log level.
        max_running: answer a submit with 429 while this many jobs are unfinished, as a
            vendor's per-account concurrency cap does (None: no cap).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        protocols: Iterable[str] = PROTOCOLS,
        speed: float = 1.0,
        clock: Callable[[], float] | None = None,
        timing: Timing | None = None,
        models: Mapping[str, ModelProfile] | None = None,
        default_model: ModelProfile | None = None,
        faults: Iterable[Fault | str] = (),
        state_dir: str | os.PathLike[str] | None = None,
        api_key: str | None = None,
        public_url: str | None = None,
        prerender: bool = False,
        require_video: bool = False,
        log_level: str = "warning",
        max_running: int | None = None,
    ) -> None:
        self.host = host
        self._port = port
        self.require_video = require_video
        self.log_level = log_level
        from ._app import EmulatorApp

        self.app: EmulatorApp = EmulatorApp(
            protocols=protocols,
            speed=speed,
            clock=clock,
            timing=timing,
            models=models,
            default_model=default_model,
            faults=[parse_fault(f) if isinstance(f, str) else f for f in faults],
            state_dir=Path(state_dir) if state_dir is not None else None,
            api_key=api_key,
            public_url=public_url,
            prerender=prerender,
            max_running=max_running,
        )
        self._server: BackgroundServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    def __repr__(self) -> str:
        where = self.url if self.running else "not running"
        return f"<Emulator {where} protocols={','.join(self.app.protocols)}>"

    # -- running ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between `start` and `stop`."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Emulator:
        """Start serving (does nothing if already running).

        Raises:
            ConfigError: ``require_video`` is set and PyAV or Pillow is missing.
            RuntimeError: the server did not come up.
        """
        if self.running:
            return self
        if self._stopped:
            raise RuntimeError(
                "a stopped emulator cannot start again: make a new one (on the same "
                "state_dir to keep its jobs)"
            )
        from ..media._deps import require_video
        from ._http import quiet_deliberate_drops
        from ._uvicorn import BackgroundServer, config, listening_socket

        if self.require_video:
            require_video()
        quiet_deliberate_drops()
        sock = listening_socket(self.host, self._port)
        self._port = sock.getsockname()[1]
        server = BackgroundServer(config(self.app, self.log_level, quiet=True))
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name=f"vidgen-emulator-{self._port}",
            daemon=True,
        )
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError(f"the emulator did not start on {self.host}:{self._port}")
            time.sleep(0.005)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread; remove temporary renders."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=_START_TIMEOUT)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout=_START_TIMEOUT)
        self._server = self._thread = None
        if not self._stopped:
            self._stopped = True
            self.app.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- where ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on (known once started)."""
        if not self._port:
            raise RuntimeError("the emulator has no port until it is started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def base_url(self, protocol: str) -> str:
        """What a provider's ``base_url`` setting should be for ``protocol``.

        ``openai``: ``{url}/v1``; ``azure``: ``{url}/openai/v1`` (both Azure APIs; the
        endpoint itself is `url`); ``aivideoapi``: ``{url}/aivideoapi/v1``.

        Raises:
            ValueError: an unknown protocol.
        """
        if protocol not in BASE_PATHS:
            raise ValueError(
                f"unknown protocol {protocol!r}; the emulator speaks {', '.join(BASE_PATHS)}"
            )
        return self.url + BASE_PATHS[protocol]

    # -- faults and stats -------------------------------------------------------------------

    def add_fault(self, fault: Fault | str) -> None:
        """Add a fault (a `Fault`, or its command-line text such as ``"rate_limit:times=2"``)."""
        self.app.add_fault(parse_fault(fault) if isinstance(fault, str) else fault)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self.app.clear_faults()

    def faults(self) -> tuple[Fault, ...]:
        """The faults not used up, each with the uses it has left."""
        return self.app.faults()

    def stats(self) -> Stats:
        """What the emulator has counted since it started or was reset."""
        return self.app.stats()

    def reset_stats(self) -> None:
        """Start counting again from zero."""
        self.app.reset_stats()


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    protocols: Iterable[str] = PROTOCOLS,
    speed: float = 1.0,
    timing: Timing | None = None,
    models: Mapping[str, ModelProfile] | None = None,
    default_model: ModelProfile | None = None,
    faults: Iterable[Fault | str] = (),
    state_dir: str | os.PathLike[str] | None = None,
    api_key: str | None = None,
    public_url: str | None = None,
    prerender: bool = False,
    port_file: str | os.PathLike[str] | None = None,
    lifetime: float | None = None,
    log_level: str = "info",
    on_ready: Callable[[str], object] | None = None,
    max_running: int | None = None,
) -> None:
    """Run the emulator in the foreground until interrupted (or for ``lifetime`` seconds).

    Ctrl-C and SIGTERM stop it gracefully, and then `serve` returns normally.

    The arguments are those of `Emulator`, plus:

    Args:
        port_file: write the port here once listening (useful with ``port=0``); the
            file is written atomically, so a reader never sees a partial number.
        lifetime: stop by itself after this many seconds (tests never leave it behind).
        log_level: uvicorn's log level; requests are logged at ``info``.
        on_ready: called with the origin (``http://127.0.0.1:PORT``) once the socket
            listens, instead of printing one line about it on stderr (at ``info``).

    Raises:
        OSError: the address cannot be listened on (a port in use, say).
        ValueError: an argument is wrong (an unknown protocol, a speed of 0).
    """
    from ._app import EmulatorApp
    from ._http import quiet_deliberate_drops
    from ._uvicorn import ForegroundServer, config, listening_socket

    app = EmulatorApp(
        protocols=protocols,
        speed=speed,
        timing=timing,
        models=models,
        default_model=default_model,
        faults=[parse_fault(f) if isinstance(f, str) else f for f in faults],
        state_dir=Path(state_dir) if state_dir is not None else None,
        api_key=api_key,
        public_url=public_url,
        prerender=prerender,
        max_running=max_running,
    )
    quiet_deliberate_drops()
    timer = None
    try:
        sock = listening_socket(host, port)
        server = ForegroundServer(config(app, log_level, quiet=False))
        bound = sock.getsockname()[1]
        origin = f"http://{f'[{host}]' if ':' in host else host}:{bound}"
        if on_ready is not None:
            on_ready(origin)
        elif log_level in ("info", "debug", "trace"):
            roots = ", ".join(f"{name} {origin}{BASE_PATHS[name]}" for name in app.protocols)
            print(f"vidgen emulator on {origin}: {roots}", file=sys.stderr, flush=True)
        if port_file is not None:
            # Written last: whoever waits for it can use the server at once.
            target = Path(port_file)
            partial = target.with_name(f".{target.name}.part")
            partial.write_text(str(bound))
            partial.replace(target)
        if lifetime is not None:
            timer = threading.Timer(lifetime, lambda: setattr(server, "should_exit", True))
            timer.daemon = True
            timer.start()
        server.run(sockets=[sock])
    finally:
        if timer is not None:
            timer.cancel()
        app.close()
