"""How long ``vidgen quote --seconds 8 --aspect 16:9`` takes, next to importing its dependencies.

Both rows are whole fresh interpreters, timed from outside (start-up included, since a
user waits for it too), with stdout and stderr to /dev/null:

    (a) vidgen quote   the ``vidgen`` script: ``vidgen quote --seconds 8 --aspect 16:9``
                       (finds the plugins, loads every catalog, fits, prices, draws the table)
    (b) baseline       ``python -c "import httpx, click, rich, ..."``: the third-party
                       modules that (a) really loads, found by a probe

The probe runs (a) in one interpreter and lists the top-level modules it loaded that
belong to a distribution vidgen declares as a dependency (``--baseline`` overrides it).
It also lists vidgen's own modules that (a) loads but a quote should not need (the
emulator's server, the media renderer, the job ledger...), the usual suspects when the
ratio grows. Samples are interleaved in a new random order each round, after a warm-up
round; ``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment, so byte
code is cached as in normal use. The children run in an empty folder with no
``VIDGEN_CONFIG``, so a user's profiles do not change what is measured.

    python benchmarks/startup.py                  # 20 rounds
    python benchmarks/startup.py -n 40
    python benchmarks/startup.py --check          # also exit 1 when (a)/(b) > 1.3

Target: (a)/(b) at most 1.3. When over, see what loads with
``python -X importtime -c "import sys; sys.argv = ['vidgen', 'quote', '--seconds', '8',
'--aspect', '16:9']; from vidgen.cli import main; main()" 2> importtime.txt``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.3
ARGS = ["quote", "--seconds", "8", "--aspect", "16:9"]

# Runs the quote in-process and reports what it loaded: the dependency modules, and the
# vidgen modules that a price check should not need.
_PROBE = """\
import json, re, sys
from importlib import metadata
out = sys.argv[1]
before = set(sys.modules)
sys.argv = ["vidgen", *{args!r}]
from vidgen.cli import main
try:
    main()
except SystemExit:
    pass
loaded = set(sys.modules) - before


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


wanted = set()
for requirement in metadata.requires("vidgen") or ():
    if "extra ==" in requirement:
        continue
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    if match:
        wanted.add(norm(match.group(0)))
owners = metadata.packages_distributions()


def is_dep(module):
    top = module.partition(".")[0]
    return not top.startswith("_") and any(norm(d) in wanted for d in owners.get(top, ()))


in_order = [name for name in sys.modules if name in loaded]  # the order they were loaded
deps = sorted({{name.partition(".")[0] for name in in_order if is_dep(name)}})
submodules = [name for name in in_order if is_dep(name)]
heavy = (
    "vidgen.emulator._app", "vidgen.emulator._http", "vidgen.emulator._uvicorn",
    "vidgen.media", "vidgen._ledger", "vidgen._client", "vidgen._recovery", "vidgen._driver",
    "uvicorn", "asyncio", "sqlite3", "av", "PIL",
)
suspects = sorted({{
    next(prefix for prefix in heavy if name.startswith(prefix))
    for name in loaded if name.startswith(heavy)
}})
with open(out, "w") as handle:
    json.dump({{"deps": deps, "submodules": submodules, "suspects": suspects}}, handle)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with byte code cached, as users run it
    env.pop("VIDGEN_CONFIG", None)
    return env


def _vidgen_command(python: str) -> list[str]:
    script = Path(python).parent / "vidgen"
    if script.exists():
        return [str(script), *ARGS]
    found = shutil.which("vidgen")
    if found:
        return [found, *ARGS]
    return [python, "-c", "from vidgen.cli import main; main()", *ARGS]


def _time(command: list[str], cwd: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system, from the child's rusage) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=cwd,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def probe(python: str, cwd: str) -> dict[str, list[str]]:
    """What (a) loads: dependency modules, and vidgen modules a quote should not need."""
    out = Path(cwd) / "probe.json"
    subprocess.run(
        [python, "-c", _PROBE.format(args=ARGS), str(out)],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
        check=True,
    )
    data: dict[str, list[str]] = json.loads(out.read_text())
    out.unlink()
    return data


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--rounds", type=int, default=20, help="samples of each kind")
    parser.add_argument("--baseline", help="comma-separated modules (default: found by a probe)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to measure")
    parser.add_argument("--seed", type=int, default=None, help="seed for the sample order")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 when the ratio is over {TARGET}"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")

    with tempfile.TemporaryDirectory(prefix="vidgen-bench-startup-") as cwd:
        found = probe(args.python, cwd)
        if args.baseline:
            baseline = [m.strip() for m in args.baseline.split(",") if m.strip()]
        else:
            baseline = found["deps"]
        for module in baseline:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", module):
                parser.error(f"{module!r} is not a module name")
        commands = {
            "vidgen": _vidgen_command(args.python),
            "baseline": [args.python, "-c", "import " + ", ".join(baseline)],
            # For information: every module of those packages that (a) loads (rich.console,
            # rich.table, ... which `import rich` alone does not), in the order it loads them.
            "submodules": [
                args.python,
                "-c",
                "import importlib\nfor m in " + repr(found["submodules"]) + ":\n"
                "    importlib.import_module(m)",
            ],
        }
        for command in commands.values():  # warm-up: byte code and the disk cache
            _time(command, cwd)
        samples: dict[str, list[float]] = {kind: [] for kind in commands}
        cpu: dict[str, list[float]] = {kind: [] for kind in commands}
        rng = random.Random(args.seed)
        for _ in range(args.rounds):
            order = list(commands)
            rng.shuffle(order)
            for kind in order:
                wall, used = _time(commands[kind], cwd)
                samples[kind].append(wall)
                cpu[kind].append(used)

    medians = {kind: statistics.median(values) for kind, values in samples.items()}
    ratio = medians["vidgen"] / medians["baseline"]
    ratio_min = min(samples["vidgen"]) / min(samples["baseline"])
    ratio_sub = medians["vidgen"] / medians["submodules"]
    ratio_cpu = statistics.median(cpu["vidgen"]) / statistics.median(cpu["baseline"])
    labels = {
        "baseline": "(b) python -c 'import " + ", ".join(baseline) + "'",
        "submodules": f"(c) the {len(found['submodules'])} modules of those that (a) loads",
        "vidgen": "(a) vidgen " + " ".join(ARGS),
    }
    width = max(len(label) for label in labels.values())
    print(f"start-up, {args.rounds} fresh interpreters each, interleaved ({args.python})")
    print()
    print(f"{'measurement':<{width}}  {'median':>8}  {'min':>8}  {'max':>8}  (ms)")
    for kind in ("baseline", "submodules", "vidgen"):
        values = samples[kind]
        print(
            f"{labels[kind]:<{width}}  {_ms(medians[kind])}  {_ms(min(values))}  {_ms(max(values))}"
        )
    print()
    print(f"ratio (a)/(b): {ratio:.2f}   target: <= {TARGET}")
    print(f"ratio of the minimums (a)/(b): {ratio_min:.2f}   (information only; less noisy)")
    print(f"ratio (a)/(c): {ratio_sub:.2f}   (information only: what vidgen itself adds)")
    print(
        f"CPU time (user + system) medians: (b) {_ms(statistics.median(cpu['baseline'])).strip()} "
        f"ms, (a) {_ms(statistics.median(cpu['vidgen'])).strip()} ms, ratio {ratio_cpu:.2f}   "
        "(information only; steadier than wall time on a busy machine)"
    )
    suspects = found["suspects"]
    print(
        "loaded by the quote but not needed for one: "
        + (", ".join(suspects) if suspects else "nothing of the usual suspects")
    )
    print(f"result: {'OK' if ratio <= TARGET else 'OVER TARGET'}")
    return 1 if args.check and ratio > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
