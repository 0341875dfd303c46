"""The APIYI cassettes are reviewable: sourced, secret-free, text-only, one per test."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
CASSETTES = sorted((ROOT / "cassettes" / "apiyi").glob("*.yaml"))
TESTS = Path(__file__).with_name("test_apiyi_cassettes.py")


def _vcr_tests() -> set[str]:
    tree = ast.parse(TESTS.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            marks = {ast.unparse(d) for d in node.decorator_list}
            if "pytest.mark.vcr" in marks:
                names.add(node.name)
    return names


def test_one_cassette_per_cassette_test() -> None:
    assert {path.stem for path in CASSETTES} == _vcr_tests()


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_cassette_says_where_it_comes_from(path: Path) -> None:
    text = path.read_text(encoding="utf-8")

    assert text.startswith("# Source: written by hand")
    assert "NOT a recording of the live service" in text
    assert "docs/testing.md" in text


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_cassette_holds_no_secret_and_no_binary(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)

    content = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert "sk-" not in content
    assert "bearer" not in content.lower()
    for interaction in data["interactions"]:
        request, response = interaction["request"], interaction["response"]
        assert "authorization" not in {h.lower() for h in request["headers"]}
        assert request["uri"].startswith("https://api.apiyi.com/v1/videos")
        body = response["body"]["string"]
        assert isinstance(body, str)  # text, never a binary blob
        if response["headers"]["Content-Type"] == ["application/json"]:
            json.loads(body)
            assert "\n  " in body  # pretty-printed
        assert response["headers"]["x-request-id"]
