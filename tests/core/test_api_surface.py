"""The public surface: async twins, complete and sorted ``__all__``, documented hooks."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from types import ModuleType

import pytest

import vidgen
import vidgen.hookspecs
from vidgen import AsyncClient, Client

ROOT = Path(__file__).resolve().parents[2]

# Sync name -> async name, where the twin's name is not the same.
RENAMED = {"close": "aclose", "__enter__": "__aenter__", "__exit__": "__aexit__"}


def _public_methods(cls: type) -> dict[str, object]:
    methods = {}
    dunders = {"__init__", *RENAMED, *RENAMED.values()}
    for name in dir(cls):
        if name.startswith("_") and name not in dunders:
            continue
        value = inspect.getattr_static(cls, name)
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isfunction(value):
            methods[name] = value
    return methods


def _shape(func: object) -> list[tuple[str, object, object]]:
    signature = inspect.signature(func)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


def test_every_client_method_has_an_async_twin() -> None:
    sync = _public_methods(Client)
    asynchronous = _public_methods(AsyncClient)
    # The helper really finds the methods.
    assert "submit" in sync
    assert "__init__" in sync
    for name, method in sync.items():
        twin_name = RENAMED.get(name, name)
        assert twin_name in asynchronous, f"AsyncClient has no twin of Client.{name}"
        twin = asynchronous[twin_name]
        assert _shape(twin) == _shape(method), f"Client.{name} and AsyncClient.{twin_name} differ"
        if twin is method:
            # Shared by both (no I/O: fit, quote, ...): must not be a coroutine in either.
            assert not inspect.iscoroutinefunction(method), name
        elif name != "__init__":
            assert inspect.iscoroutinefunction(twin), f"AsyncClient.{twin_name} is not async"
            assert not inspect.iscoroutinefunction(method), f"Client.{name} is async"
    extra = set(asynchronous) - {RENAMED.get(n, n) for n in sync}
    assert not extra, f"AsyncClient has methods Client lacks: {sorted(extra)}"


def test_io_methods_are_twins_not_shared() -> None:
    for name in ("submit", "get", "wait", "download", "generate"):
        assert getattr(Client, name) is not getattr(AsyncClient, name)
        assert inspect.iscoroutinefunction(getattr(AsyncClient, name))


# -- __all__ ---------------------------------------------------------------------------------------


def _defined_public_names(module: ModuleType) -> set[str]:
    """Classes and functions defined in the module, and its UPPER_CASE constants."""
    names = set()
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        if (inspect.isclass(value) or inspect.isfunction(value)) and (
            value.__module__ == module.__name__
        ):
            names.add(name)
    for node in ast.parse(inspect.getsource(module)).body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper() and target.id[0] != "_":
                names.add(target.id)
    return names


@pytest.mark.parametrize("name", ["vidgen", "vidgen.provider", "vidgen.plugins", "vidgen.testing"])
def test_all_is_sorted_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported), f"{name}.__all__ is not sorted"
    assert len(exported) == len(set(exported)), f"{name}.__all__ has duplicates"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ lists {item!r}, which does not exist"
        namespace: dict[str, object] = {}
        exec(f"from {name} import {item}", namespace)
        assert namespace[item] is getattr(module, item)


@pytest.mark.parametrize("name", ["vidgen.provider", "vidgen.plugins", "vidgen.testing"])
def test_all_lists_everything_public_the_module_defines(name: str) -> None:
    module = importlib.import_module(name)
    missing = _defined_public_names(module) - set(module.__all__)
    assert not missing, f"{name} defines public names missing from __all__: {sorted(missing)}"


def test_vidgen_all_is_complete() -> None:
    public = {
        name
        for name, value in vars(vidgen).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    missing = public - set(vidgen.__all__)
    assert not missing, f"vidgen exposes names missing from __all__: {sorted(missing)}"
    assert "__version__" in vidgen.__all__


def test_every_exception_is_exported_and_in_the_tree() -> None:
    from vidgen import _exceptions

    for name in _exceptions.__all__:
        cls = getattr(_exceptions, name)
        assert issubclass(cls, vidgen.VidgenError)
        assert getattr(vidgen, name) is cls
        assert name in (_exceptions.__doc__ or ""), f"{name} is not drawn in the error tree"


# -- hooks ----------------------------------------------------------------------------------------


def _hooks() -> list[tuple[str, object]]:
    hooks = [
        (name, value)
        for name, value in vars(vidgen.hookspecs).items()
        if inspect.isfunction(value) and hasattr(value, "vidgen_spec")
    ]
    assert hooks, "vidgen.hookspecs defines no hooks"
    return hooks


def test_every_hook_has_a_docstring_and_the_prefix() -> None:
    for name, hook in _hooks():
        assert name.startswith("vidgen_"), name
        doc = inspect.getdoc(hook) or ""
        assert len(doc) > 40, f"hook {name} has no real docstring"
        assert "Args:" in doc, f"hook {name} does not document its arguments"


def test_every_hook_is_in_docs_plugins_md() -> None:
    docs = ROOT / "docs" / "plugins.md"
    if not docs.exists():
        pytest.skip("docs/plugins.md does not exist yet (being written)")
    text = docs.read_text(encoding="utf-8")
    missing = [name for name, _ in _hooks() if name not in text]
    assert not missing, f"hooks missing from docs/plugins.md: {missing}"
