"""An installed third-party plugin package is found through its entry point.

The example packages are built and installed with pip into a temporary folder (never into
the repository or the venv) and used from fresh interpreters with that folder on PYTHONPATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGES = ("vidgen_example", "vidgen_broken")


def _sources() -> set[Path]:
    return {path for name in PACKAGES for path in (HERE / name).rglob("*")}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with both example plugins installed, as pip installs any package."""
    before = _sources()
    work = tmp_path_factory.mktemp("plugins")
    copies = []
    for name in PACKAGES:
        # Build from a copy, so no build artefact can land in the repository.
        copy = work / "src" / name
        shutil.copytree(HERE / name, copy, ignore=shutil.ignore_patterns("__pycache__"))
        copies.append(str(copy))
    target = work / "site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            "--target",
            str(target),
            *copies,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _sources() == before, "building the plugins left files in the repository"
    return target


def _python(
    site: Path, cwd: Path, *args: str, disable: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIDGEN_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = str(site)
    env["COLUMNS"] = "200"
    if disable is not None:
        env["VIDGEN_DISABLE_PLUGINS"] = disable
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_the_package_is_installed_with_its_entry_point_and_catalog(site: Path) -> None:
    assert (site / "vidgen_example" / "catalog.toml").is_file()
    (dist_info,) = site.glob("vidgen_example-0.1.0.dist-info")
    entry_points = (dist_info / "entry_points.txt").read_text()
    assert "[vidgen]" in entry_points
    assert "example = vidgen_example.plugin" in entry_points


@pytest.mark.slow
def test_vidgen_providers_lists_the_plugin(site: Path, tmp_path: Path) -> None:
    result = _python(site, tmp_path, "-c", "from vidgen.cli import main; main()", "providers")
    assert result.returncode == 0, result.stderr
    names = result.stdout.split()
    assert "example" in names
    assert "openai" in names  # the built-ins still load beside it
    # The broken package is reported by name, and did not stop the others.
    assert "plugin 'broken' failed" in result.stderr
    assert "failed to import: ModuleNotFoundError" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_get_provider_returns_the_plugins_class(site: Path, tmp_path: Path) -> None:
    code = """
import datetime as dt
import vidgen
from vidgen.plugins import get_registry
from vidgen.testing import check_provider
from vidgen_example import ExampleProvider

provider = vidgen.get_provider("example", api_key="k-example")
assert type(provider) is ExampleProvider, type(provider)
assert get_registry().origin("example") == "example"
assert [f.plugin for f in get_registry().failures] == ["broken"]
fitted = provider.fit(vidgen.VideoRequest(prompt="a boat", duration=10, aspect="9:16"))
print(fitted.model, fitted.size, provider.quote(fitted).amount)
print(check_provider(provider, today=dt.date(2026, 11, 21)))
"""
    result = _python(site, tmp_path, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["example-1 720x1280 0.50", "[]"]


@pytest.mark.slow
def test_the_plugin_can_be_disabled(site: Path, tmp_path: Path) -> None:
    code = "import vidgen.plugins as p; r = p.get_registry(); print(sorted(r.disabled), r.failures)"
    result = _python(site, tmp_path, "-c", code, disable="example, broken")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['broken', 'example'] []"
    listed = _python(
        site, tmp_path, "-c", "from vidgen.cli import main; main()", "providers", disable="example"
    )
    assert "example" not in listed.stdout.split()
    assert "openai" in listed.stdout.split()


@pytest.mark.slow
def test_the_plugin_passes_the_conformance_kit(site: Path, tmp_path: Path) -> None:
    """The plugin author's own kit test, run against the installed package."""
    test_file = tmp_path / "test_example_conformance.py"
    shutil.copy(HERE / "vidgen_example" / "tests" / "test_example_conformance.py", test_file)
    result = _python(
        site,
        tmp_path,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        str(test_file),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout
