"""``vidgen webhooks serve``: receive providers' webhooks and callbacks (docs/webhooks.md).

Secrets come from the environment (``REPLICATE_WEBHOOK_SECRET``, ...) or the profiles'
settings, never from the command line, where other users of the machine could read them.
The command is built when it is asked for, so other commands never load the receiver.
"""

from __future__ import annotations

from typing import Any

import click

from ._context import clock, fail

__all__ = ["webhooks"]

_COMMANDS = ("serve",)
_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")

EPILOG = (
    "Each route is a provider or a profile: POST /replicate, POST /my-fal-profile, ... "
    "Signed deliveries need their secret in <NAME>_WEBHOOK_SECRET (REPLICATE_WEBHOOK_SECRET, "
    "OPENROUTER_WEBHOOK_SECRET, FAL_WEBHOOK_SECRET = fal's JWKS or its file) or in the "
    "provider's settings; unsigned callbacks are checked by vidgen's per-job token. It "
    "listens on 127.0.0.1: put a TLS reverse proxy in front of it. See docs/webhooks.md."
)


def _serve_command() -> click.Command:
    @click.command(name="serve", epilog=EPILOG, context_settings={"max_content_width": 100})
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=8787,
        show_default=True,
        help="Port; 0 picks a free one (see --port-file).",
    )
    @click.option(
        "--route",
        "routes",
        multiple=True,
        metavar="NAME",
        help="A profile or provider to receive for; repeatable (default: every one that "
        "sends webhooks or callbacks).",
    )
    @click.option(
        "--download-to",
        type=click.Path(file_okay=False),
        help="Save each finished video in this folder, in the background.",
    )
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
    @click.option(
        "--max-body-bytes",
        type=click.IntRange(min=1),
        default=2 * 1024 * 1024,
        show_default=True,
        help="The largest delivery taken (413 beyond it).",
    )
    @click.option(
        "--port-file",
        type=click.Path(dir_okay=False),
        help="Write the port here once listening (atomically).",
    )
    @click.option(
        "--lifetime",
        type=click.FloatRange(min=0, min_open=True),
        help="Stop by itself after this many seconds.",
    )
    @click.option(
        "--log-level",
        type=click.Choice(_LOG_LEVELS),
        default="info",
        show_default=True,
        help="Log level (every delivery taken or refused is logged at info or warning).",
    )
    def serve(**options: Any) -> None:
        """Receive webhooks and callbacks in the foreground until Ctrl-C.

        Verified deliveries update the job ledger; forged, replayed and stale ones are
        refused.
        """
        from ..webhooks import WebhookApp
        from ..webhooks import serve as run

        app = WebhookApp(
            list(options["routes"]) or None,
            config=options["config_path"],
            download_to=options["download_to"],
            max_body_bytes=options["max_body_bytes"],
            clock=clock(),
        )
        if not app.routes:
            app.close()
            fail("nothing to receive: no installed provider or profile sends webhooks or callbacks")

        def ready(origin: str) -> None:
            from ..webhooks._server import banner

            click.echo(banner(origin, app), err=True)

        try:
            run(
                app,
                host=options["host"],
                port=options["port"],
                port_file=options["port_file"],
                log_level=options["log_level"],
                on_ready=ready,
                lifetime=options["lifetime"],
            )
        except OSError as exc:
            where = f"{options['host']}:{options['port']}"
            reason = exc.strerror or str(exc)
            fail(f"cannot serve on {where}: {reason} (choose another --port, or --port 0)", 1)
        click.echo("vidgen webhooks stopped", err=True)

    return serve


class _WebhooksGroup(click.Group):
    """A group whose commands are imported when one of them is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name == "serve":
            self.add_command(_serve_command())
        return self.commands.get(cmd_name)


@click.group(cls=_WebhooksGroup)
def webhooks() -> None:
    """Receive providers' webhooks and callbacks: verified, recorded, downloaded (docs/webhooks.md)."""
