"""What a provider sends is untrusted input: its parsers' failures and its output URLs.

Two guards the lifecycle puts around every provider, built-in or third-party:

* `call_parser` runs a provider's ``parse_*`` (or ``poll_hint``, ``build_download``) so
  that whatever a hostile or broken answer makes it raise (a ``KeyError``, a
  ``RecursionError``, a ``ValueError`` from a date) reaches the caller as `ProtocolError`
  with the provider's name and an excerpt of the body;
* `check_output_url` refuses to fetch an output from a place a remote provider has no
  business pointing at: a private, loopback or link-local address, a local host name, or
  a URL with a user name and password in it.

DNS rebinding is not covered: a public host name that resolves to a private address is
fetched. Resolving names here would be a second, racy lookup; a network that must be
protected from this should filter egress.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from ._exceptions import ProtocolError, VidgenError
from .provider import Provider, same_origin

__all__ = ["call_parser", "check_output_url", "excerpt_of", "local_destination"]

T = TypeVar("T")

_EXCERPT = 300

#: Names that only ever mean this machine or the local network.
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LOCAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".localdomain",
    ".internal",  # metadata.google.internal, *.ec2.internal, ...
    ".intranet",
    ".lan",
    ".home.arpa",
)
#: The NAT64 prefix (RFC 6052): 64:ff9b::7f00:1 reaches 127.0.0.1 through a translator.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def call_parser(
    provider: Provider, what: str, body: bytes | str, parse: Callable[..., T], *args: Any
) -> T:
    """``parse(*args)``, where any exception that is not a vidgen error becomes one.

    Args:
        provider: whose parser it is (named in the error).
        what: what is being read, for the message ("status response", "output URL").
        body: the body being read, of which an excerpt goes into the error.
        parse: the provider's method.
        *args: its arguments.

    Raises:
        ProtocolError: the parser failed with anything but a `VidgenError`.
        VidgenError: the parser's own error, unchanged (a `ProviderError` for an error
            answer; a `ProtocolError` it raised gets the provider's name if it had none).
    """
    try:
        return parse(*args)
    except ProtocolError as exc:
        if exc.provider is None:
            exc.provider = provider.name
        raise
    except VidgenError:
        raise
    except Exception as exc:
        excerpt = excerpt_of(body)
        reason = str(exc)[:200] or "no message"
        raise ProtocolError(
            f"{provider.name} sent a {what} vidgen cannot read ({type(exc).__name__}: "
            f"{reason}); it starts {excerpt!r}. If this repeats, report it with this body to "
            f"the maintainers of the {provider.name} provider",
            provider=provider.name,
            body=excerpt,
        ) from exc


def excerpt_of(body: bytes | str) -> str:
    """The first few hundred characters of a body, as text."""
    if isinstance(body, str):
        return body[:_EXCERPT]
    return bytes(body[:_EXCERPT]).decode("utf-8", "replace")


def check_output_url(provider: Provider, url: httpx.URL) -> None:
    """Refuse to download from ``url`` unless it is the provider's own API or a safe place.

    The provider's own origin (``base_url``: scheme, host and port) is always allowed,
    so a local emulator serving from 127.0.0.1 works. Anywhere else must be https,
    carry no user name or password, and (unless the provider's ``allow_private_outputs``
    is set) not be a private, loopback, link-local, multicast or otherwise non-public
    address, nor a local host name.

    Raises:
        ProtocolError: the URL is refused (never retried).
    """
    base = provider.base_url
    if base and same_origin(url, base) and url.userinfo == httpx.URL(base).userinfo:
        return
    name = provider.name
    if url.userinfo:
        # httpx would send it as a Basic auth header to whoever the URL names.
        raise ProtocolError(
            f"{name} returned an output URL with a user name or password in it "
            f"({url.host}); refusing to send credentials from a URL to that host",
            provider=name,
            body=str(url.copy_with(username=None, password=None, query=None)),
        )
    if url.scheme != "https":
        raise ProtocolError(
            f"{name} returned an output URL that is not https ({url.host}); "
            "refusing to download it",
            provider=name,
            body=str(url.copy_with(query=None)),
        )
    if provider.allow_private_outputs:
        return
    where = local_destination(url.host)
    if where is not None:
        raise ProtocolError(
            f"{name} returned an output URL whose host {url.host} is {where}; vidgen does not "
            "fetch from the local network for a provider on another host. For a self-hosted "
            "setup that stores outputs there, set allow_private_outputs = true in the profile "
            "(or pass allow_private_outputs=True to the provider)",
            provider=name,
            body=str(url.copy_with(query=None)),
        )


def local_destination(host: str) -> str | None:
    """What kind of non-public place ``host`` names, or None for a public one.

    IP literals are checked by address (in every spelling the resolver accepts:
    ``127.1``, ``2130706433``, ``0x7f.0.0.1``; IPv4 inside IPv6); names only by their
    form (``localhost``, ``*.local``, ``*.internal``, names without a dot). A public name
    that resolves to a private address is not caught (see the module docstring).
    """
    name = host.strip().rstrip(".").lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    address = _address(name)
    if address is None:
        if not name:
            return "an empty host"
        if name in _LOCAL_NAMES or name.endswith(_LOCAL_SUFFIXES):
            return "a local host name"
        if "." not in name:
            return "a host name without a domain (a local network name)"
        return None
    for candidate in _embedded(address):
        kind = _address_kind(candidate)
        if kind is not None:
            return kind
    return None


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name.split("%", 1)[0])  # fe80::1%eth0
    except ValueError:
        pass
    if ":" in name or not name or not all(c in "0123456789abcdefx." for c in name):
        return None
    # The resolver also reads 127.1, 2130706433 and 0x7f000001 as IPv4 addresses.
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        return None


def _embedded(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The address and any IPv4 address it carries (mapped, 6to4, Teredo, NAT64)."""
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        if address in _NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _address_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata services live there)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if address.is_reserved or not address.is_global:
        return "a reserved, non-public address"
    return None
