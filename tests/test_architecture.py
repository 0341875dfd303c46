"""The shape of the code: import rules, no cycles, typed packages, public names.

* the core (``src/vidgen``) never imports a provider package;
* a provider imports only vidgen's public modules, as a third-party plugin would;
* no import cycles, counting imports inside functions (``TYPE_CHECKING`` blocks aside);
* every package ships ``py.typed``; public classes report ``vidgen`` as their module.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

import vidgen

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PROVIDERS = ROOT / "providers"
PUBLIC_CORE = {
    "vidgen",
    "vidgen.provider",
    "vidgen.plugins",
    "vidgen.testing",
    "vidgen.emulator",
    "vidgen.media",
    "vidgen.webhooks",
}


def _modules() -> dict[str, Path]:
    found = {}
    for root in (SRC, PROVIDERS):
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(sub) for sub in ast.walk(node))
    return skip


def imports_of(name: str) -> Iterator[str]:
    """Every first-party or third-party module ``name`` imports (absolute names)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            subs = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES]
            if len(subs) < len(node.names):
                yield module
            yield from subs


def _first_party(module: str) -> str | None:
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    return module or None


def graph() -> dict[str, set[str]]:
    edges = {}
    for name in MODULES:
        targets = {_first_party(m) for m in imports_of(name)}
        edges[name] = {t for t in targets if t and t != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_there_are_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_never_imports_a_provider() -> None:
    offenders = [
        (name, target)
        for name in MODULES
        if name.split(".")[0] == "vidgen"
        for target in imports_of(name)
        if target.split(".")[0].startswith("vidgen_")
    ]
    assert offenders == []


def test_providers_import_only_the_public_api() -> None:
    offenders = []
    for name in MODULES:
        package = name.split(".")[0]
        if not package.startswith("vidgen_"):
            continue
        for target in imports_of(name):
            top = target.split(".")[0]
            if top == "vidgen" and target not in PUBLIC_CORE:
                offenders.append((name, target))
            elif (
                top.startswith("vidgen_")
                and top != package
                and any(part.startswith("_") for part in target.split(".")[1:])
            ):
                # Another provider's public modules only (apiyi builds on vidgen_openai).
                offenders.append((name, target))
    assert offenders == []


@pytest.mark.parametrize(
    "package", [SRC / "vidgen", *sorted(p for p in PROVIDERS.iterdir() if p.is_dir())]
)
def test_every_package_ships_py_typed(package: Path) -> None:
    if not (package / "__init__.py").exists():
        pytest.skip("not a package")
    assert (package / "py.typed").is_file()


def test_public_classes_report_vidgen_as_their_module() -> None:
    for name in vidgen.__all__:
        value = getattr(vidgen, name)
        if inspect.isclass(value):
            assert value.__module__ == "vidgen", name


@pytest.mark.slow
def test_the_wheel_ships_py_typed_for_every_package(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("vidgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {n.split("/")[0] for n in names if n.endswith("/__init__.py")}
    assert "vidgen" in packages
    assert "vidgen_openai" in packages
    for package in packages:
        assert f"{package}/py.typed" in names, package


def test_no_file_keeps_a_merge_conflict() -> None:
    """A conflict marker left in a page or a module is a defect nobody would notice."""
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:  # not a git checkout (an sdist): look at the usual folders
        tracked = [str(p.relative_to(ROOT)) for p in ROOT.glob("*.md")]
    markers = ("<<<<<<< ", ">>>>>>> ")
    found = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in (".py", ".md", ".toml", ".yaml", ".yml", ".txt", ".json", ".jsonl"):
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        found += [f"{name}:{n}" for n, line in enumerate(lines, 1) if line.startswith(markers)]
    assert found == []
