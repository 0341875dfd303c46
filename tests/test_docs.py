"""The documentation site: every page in the nav, every public name documented.

* every Markdown page under ``docs/`` is in ``mkdocs.yml``'s nav, and the nav names no
  missing page (``mkdocs build --strict`` checks the same; this fails without mkdocs);
* every name in a public module's ``__all__`` has a docstring, found the way mkdocstrings
  finds it (statically: a class's or function's docstring, or the string right after a
  constant's assignment);
* every such name is rendered by a ``:::`` directive in ``docs/reference/``: its own, or
  its module's (whose ``members:`` option, when given, lists it).

``.ci/run`` also builds the site with ``mkdocs build --strict``, which fails on a broken
link or anchor and on a docstring that does not match its signature.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
SRC = ROOT / "src"

#: The modules whose ``__all__`` is public API; vidgen.webhooks joins once it exists.
PUBLIC_MODULES = [
    "vidgen",
    "vidgen.provider",
    "vidgen.plugins",
    "vidgen.testing",
    "vidgen.emulator",
    "vidgen.media",
]
if importlib.util.find_spec("vidgen.webhooks") is not None:
    PUBLIC_MODULES.append("vidgen.webhooks")


# -- the nav ------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose ``!!python/name:`` tags name Python objects."""


_Loader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: f"python:{suffix}"
)


def _config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.load(
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader
    )
    return config


def _nav_pages(entry: Any) -> Iterator[str]:
    if isinstance(entry, str):
        if not entry.startswith(("http://", "https://")):
            yield entry
    elif isinstance(entry, list):
        for item in entry:
            yield from _nav_pages(item)
    elif isinstance(entry, dict):
        for value in entry.values():
            yield from _nav_pages(value)


def _doc_pages() -> set[str]:
    return {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}


def test_every_page_is_in_the_nav() -> None:
    nav = list(_nav_pages(_config()["nav"]))
    orphans = sorted(_doc_pages() - set(nav))
    assert not orphans, f"pages missing from mkdocs.yml's nav (add a line each): {orphans}"


def test_the_nav_names_only_pages_that_exist() -> None:
    nav = list(_nav_pages(_config()["nav"]))
    missing = sorted(set(nav) - _doc_pages())
    assert not missing, f"mkdocs.yml's nav names pages that do not exist: {missing}"
    repeated = sorted({page for page in nav if nav.count(page) > 1})
    assert not repeated, f"pages listed twice in the nav: {repeated}"


def test_the_build_needs_no_network() -> None:
    config = _config()
    assert config["theme"].get("font") is False, "theme.font: false (no web fonts)"
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "mkdocstrings" in plugin:
            handler = plugin["mkdocstrings"]["handlers"]["python"]
            assert "inventories" not in handler, "inventories are fetched at build time"
            assert "import" not in handler, "inventories are fetched at build time"


# -- docstrings, found statically as mkdocstrings finds them ------------------------------


def _module_path(module: str) -> Path:
    base = SRC.joinpath(*module.split("."))
    package = base / "__init__.py"
    return package if package.exists() else base.with_suffix(".py")


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def _top_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Module-level statements, including those inside ``if``/``try`` blocks."""
    for node in tree.body:
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            for block in (node.body, node.orelse, getattr(node, "handlers", [])):
                for sub in block:
                    if isinstance(sub, ast.ExceptHandler):
                        yield from sub.body
                    else:
                        yield sub


def _assigned(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def docstring(module: str, name: str, depth: int = 0) -> str | None:
    """The docstring mkdocstrings would render for ``module.name`` (None when there is none).

    A class or function: its docstring. A constant or type alias: the string literal right
    after its assignment. A name imported from elsewhere: its docstring there.
    """
    if depth > 10:
        raise AssertionError(f"import chain too long for {module}.{name}")
    path = _module_path(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    statements = list(_top_level(tree))
    for position, node in enumerate(statements):
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.name == name
        ):
            return ast.get_docstring(node)
        if name in _assigned(node):
            after = statements[position + 1] if position + 1 < len(statements) else None
            if (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                return after.value.value
            return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    source = _absolute(module, path, node)
                    if not source.startswith("vidgen"):
                        return None
                    if _module_path(f"{source}.{alias.name}").exists():
                        return ast.get_docstring(
                            ast.parse(
                                _module_path(f"{source}.{alias.name}").read_text(encoding="utf-8")
                            )
                        )
                    return docstring(source, alias.name, depth + 1)
    raise AssertionError(f"{module}.{name}: defined nowhere that a static reader can find")


def _public_names() -> list[tuple[str, str]]:
    names = []
    for module in PUBLIC_MODULES:
        for name in importlib.import_module(module).__all__:
            names.append((module, name))
    return names


def test_docstring_reader_follows_imports() -> None:
    assert docstring("vidgen", "Client")
    assert docstring("vidgen", "__version__") == "The installed vidgen version."
    assert docstring("vidgen.plugins", "hookimpl")


def test_every_public_name_has_a_docstring() -> None:
    missing = [
        f"{module}.{name}"
        for module, name in _public_names()
        if not (docstring(module, name) or "").strip()
    ]
    assert not missing, (
        "public names without a docstring (for a constant: a string literal on the line "
        f"after it): {missing}"
    )


def test_every_public_module_has_a_docstring() -> None:
    missing = [m for m in PUBLIC_MODULES if not importlib.import_module(m).__doc__]
    assert not missing


# -- the API reference ---------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^::: *(?P<target>[\w.]+) *$")


def directives() -> dict[str, dict[str, Any]]:
    """Every ``::: target`` in docs/reference, with its options."""
    found: dict[str, dict[str, Any]] = {}
    for page in sorted(REFERENCE.rglob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for position, line in enumerate(lines):
            match = _DIRECTIVE.match(line)
            if not match:
                continue
            block = []
            for following in lines[position + 1 :]:
                if following.strip() and not following.startswith(" "):
                    break
                block.append(following)
            options = yaml.safe_load("\n".join(block)) if "".join(block).strip() else None
            found[match["target"]] = (options or {}).get("options", {})
    return found


def test_every_public_name_is_in_the_api_reference() -> None:
    rendered = directives()
    missing = []
    for module, name in _public_names():
        if f"{module}.{name}" in rendered:
            continue
        options = rendered.get(module)
        if options is not None and name in options.get("members", [name]):
            continue
        missing.append(f"{module}.{name}")
    assert not missing, (
        f"public names missing from docs/reference (add `::: name` or its module): {missing}"
    )


def test_the_reference_names_only_public_objects() -> None:
    public = {f"{m}.{n}" for m, n in _public_names()} | set(PUBLIC_MODULES) | {"vidgen.hookspecs"}
    private = sorted(set(directives()) - public)
    assert not private, f"docs/reference renders names outside the public API: {private}"


# -- the site ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("mkdocs") is None and importlib.util.find_spec("mkdocs") is None,
    reason="the docs extra is not installed (pip install -e '.[docs]')",
)
def test_the_site_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
