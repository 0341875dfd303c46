"""Reading a multipart request body, for the providers whose submit sends a file."""

from __future__ import annotations

import email.parser
import email.policy

import httpx


def multipart_fields(request: httpx.Request) -> dict[str, tuple[str, str | None, bytes]]:
    """A multipart body as ``{name: (content type, filename, bytes)}``."""
    body = request.read()
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts[name] = (part.get_content_type(), part.get_filename(), payload)
    return parts
