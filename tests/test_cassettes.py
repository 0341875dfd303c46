"""Every cassette is safe to publish and honest about where it comes from.

Scans every file under ``cassettes/`` for anything that looks like a credential, and checks
that each one opens with a ``# Source:`` header saying it is not a recording of the live
service (DESIGN.md, "Tests"). The scanners are tested on planted leaks, so a scanner that
stopped matching would fail here rather than pass silently.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
FILES = sorted(p for p in CASSETTES.rglob("*") if p.is_file()) if CASSETTES.is_dir() else []

# A stand-in, not a credential: "<...>", "$VAR", "${VAR}", "***", or a word that says so.
_PLACEHOLDER = re.compile(
    r"^(<[^>]*>|\$\{?[A-Z][A-Z0-9_]*\}?|\*+|x{3,}|"
    r".*(redacted|placeholder|dummy|your[-_]?(api[-_]?)?key|filtered).*)$",
    re.IGNORECASE,
)

# Header names that carry credentials (vcr_config filters them; none may be in a file).
_SECRET_HEADERS = (
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "x-goog-api-key",
    "ocp-apim-subscription-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("an OpenAI-style secret key", re.compile(r"\bsk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{16,}")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{30,}")),
    ("an AWS access key id", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a webhook secret", re.compile(r"\bwhsec_[A-Za-z0-9+/=]{16,}")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}")),
    (
        "a credential header",
        re.compile(
            r"^\s*-?\s*['\"]?(?:" + "|".join(map(re.escape, _SECRET_HEADERS)) + r")['\"]?\s*:",
            re.IGNORECASE | re.MULTILINE,
        ),
    ),
    (
        "a credential in a query string",
        re.compile(
            r"[?&](?:api[-_]?key|key|access[-_]?token|token|sig|signature|client[-_]?secret)"
            r"=(?!(?:<|\$|\*|REDACTED|DUMMY|placeholder))[^&\s'\"]{6,}",
            re.IGNORECASE,
        ),
    ),
]

# "Bearer <token>" / "Basic <token>" and a long opaque value next to a word that means
# credential: flagged unless the value is a placeholder.
_AUTH_VALUE = re.compile(r"\b(?:Bearer|Basic|Token)\s+([^\s'\",\]}]+)", re.IGNORECASE)
_AUTH_CONTEXT = re.compile(
    r"(?:api[-_]?key|secret|token|password|passwd|credential|auth\w*|signature|private[-_]?key)"
    r"['\"]?\s*[:=]\s*\[?\s*['\"]?([A-Za-z0-9+/_.=-]{20,})",
    re.IGNORECASE,
)


def _looks_like_a_token(value: str) -> bool:
    # Prose ("your Bearer Token and ...") is words; a token has digits or is long and opaque.
    if _PLACEHOLDER.match(value) or len(value) < 8:
        return False
    return any(ch.isdigit() for ch in value) or len(value) >= 20


def find_secrets(text: str) -> list[str]:
    """What in ``text`` looks like a credential, one readable finding per hit."""
    findings: list[str] = []

    def line_of(position: int) -> int:
        return text.count("\n", 0, position) + 1

    for what, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            findings.append(f"line {line_of(match.start())}: {what}: {match.group(0).strip()!r}")
    for pattern, what in ((_AUTH_VALUE, "an auth token"), (_AUTH_CONTEXT, "a credential value")):
        for match in pattern.finditer(text):
            if _looks_like_a_token(match.group(1)):
                findings.append(f"line {line_of(match.start())}: {what}: {match.group(0)!r}")
    return findings


def header_problems(text: str) -> list[str]:
    """What is missing from a cassette's opening comment (its provenance)."""
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    if not header or not header[0].startswith("# Source:"):
        return ["the file does not start with a '# Source:' comment saying where it comes from"]
    comment = " ".join(line.lstrip("# ") for line in header)
    problems = []
    lowered = comment.lower()
    # Either written by hand ("NOT a recording ...") or a real recording that says from which
    # service and when ("Recorded from https://... on 2027-01-05"): never ambiguous.
    if "not a recording" not in lowered and "recorded from" not in lowered:
        problems.append("the header does not say the cassette is NOT a recording of the service")
    if "docs/testing.md" not in comment:
        problems.append("the header does not point at docs/testing.md for re-recording")
    return problems


def body_problems(text: str) -> list[str]:
    """Binary blobs, oversized bodies, and JSON bodies that are not pretty-printed."""
    if "!!binary" in text:
        return ["a body is stored as !!binary; replace video bytes with a short text stub"]
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        return ["not a vcrpy cassette (no 'interactions' list)"]
    problems = []
    for number, interaction in enumerate(data["interactions"], 1):
        bodies = [
            ("request", interaction["request"].get("body")),
            ("response", (interaction["response"].get("body") or {}).get("string")),
        ]
        for side, body in bodies:
            if not isinstance(body, str) or not body.strip():
                continue
            if len(body) > 20_000:
                problems.append(f"interaction {number}: the {side} body is {len(body)} characters")
            if side == "request":
                continue  # what vidgen sends is checked by body matching, not read by people
            try:
                parsed = json.loads(body)
            except ValueError:
                continue
            if isinstance(parsed, (dict, list)) and len(parsed) > 1 and "\n" not in body.strip():
                problems.append(f"interaction {number}: the {side} JSON body is not pretty-printed")
    return problems


# -- the cassettes --------------------------------------------------------------------------


def test_there_are_cassettes_to_scan() -> None:
    assert FILES, f"no files under {CASSETTES}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassette_has_no_secrets(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert find_secrets(text) == [], f"{path.relative_to(ROOT)} may leak a credential"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassette_says_where_it_comes_from(path: Path) -> None:
    assert path.suffix == ".yaml", "cassettes are YAML files (one per test)"
    assert header_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassette_bodies_are_reviewable(path: Path) -> None:
    assert body_problems(path.read_text(encoding="utf-8")) == []


# -- the scanners catch what they are for -------------------------------------------------------

GOOD_HEADER = (
    "# Source: written by hand from the documented examples in shared/WIRE.md section 1.\n"
    "# NOT a recording of the live service. To re-record, see docs/testing.md.\n"
    "interactions: []\nversion: 1\n"
)


@pytest.mark.parametrize(
    "leak",
    [
        '      string: \'{"key": "sk-proj-AbCdEf0123456789GhIjKl"}\'',
        "      string: 'sk-AbCdEf0123456789GhIjKlMn'",
        "      Authorization: [Bearer sk-AbCdEf0123456789GhIjKl]",
        "      authorization: [Bearer abcdef0123456789]",
        "      api-key: [0123456789abcdef0123456789abcdef]",
        "      OpenAI-Organization: [org-AbCdEf012345]",
        "    uri: https://relay.example.com/v1/videos?api-key=0123456789abcdef",
        "    uri: https://example.com/frame.png?sig=AbCdEf0123456789&se=2026",
        "      string: 'the header was Bearer eyJhbGciOiJIUzI1NiJ9.payload'",
        '          "api_key": "QWxhZGRpbjpvcGVuIHNlc2FtZSBsb25nIGtleQ=="',
        '          "client_secret": "0123456789abcdefABCDEF0123"',
        "      X-Webhook: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw]",
        "      string: 'ghp_0123456789abcdefghijABCDEFGHIJ0123'",
        "      string: 'AIzaSyA0123456789abcdefghijABCDEFGHIJ'",
    ],
)
def test_planted_leaks_are_caught(leak: str) -> None:
    assert find_secrets(GOOD_HEADER + leak + "\n"), f"not caught: {leak}"


@pytest.mark.parametrize(
    "harmless",
    [
        "# Authorization: Bearer $OPENAI_API_KEY (WIRE.md 1.1; the header is never stored)",
        "      string: 'Incorrect API key provided. You can find your API key in your account.'",
        '          "id": "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5",',
        "      x-request-id: [req_create_sync]",
        "      string: 'send Bearer <redacted> with each request'",
        "# Check your Bearer Token and group setting",
        "      Authorization-Hint: see docs",
        "      string: 'stub-mp4-bytes-for-video_123'",
        '          "prompt": "A calico cat playing a piano on stage",',
    ],
)
def test_documented_text_is_not_a_leak(harmless: str) -> None:
    assert find_secrets(harmless) == []


def test_a_missing_header_is_caught() -> None:
    assert header_problems("interactions: []\nversion: 1\n")
    assert header_problems("# recorded on 2026-01-01\ninteractions: []\n")


def test_a_header_that_does_not_disclaim_recording_is_caught() -> None:
    text = (
        "# Source: the live API, 2026-08-01. To re-record, see docs/testing.md.\ninteractions: []\n"
    )
    assert header_problems(text) == [
        "the header does not say the cassette is NOT a recording of the service"
    ]


def test_a_header_without_re_recording_notes_is_caught() -> None:
    text = "# Source: written by hand; NOT a recording of the live service.\ninteractions: []\n"
    assert header_problems(text) == [
        "the header does not point at docs/testing.md for re-recording"
    ]


def test_a_good_header_passes() -> None:
    assert header_problems(GOOD_HEADER) == []


def test_binary_and_one_line_json_bodies_are_caught() -> None:
    binary = GOOD_HEADER.replace(
        "interactions: []",
        "interactions:\n- request: {body: '', method: GET, uri: 'https://x'}\n"
        "  response: {body: {string: !!binary AAAA}}",
    )
    assert "!!binary" in body_problems(binary)[0]
    one_line = (
        "interactions:\n- request: {body: '', method: GET, uri: 'https://x'}\n"
        '  response: {body: {string: \'{"id": "v", "status": "queued"}\'}}\n'
    )
    assert body_problems(one_line) == [
        "interaction 1: the response JSON body is not pretty-printed"
    ]
