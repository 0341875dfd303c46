"""How much `import vidgen` plus plugin discovery costs next to importing its dependencies.

Each sample runs in a fresh interpreter, which times itself with ``time.perf_counter``
around the imports (interpreter start-up is left out, since it is the same for both).
The kinds of sample are interleaved, in a new random order each round, so that a slow
moment on the machine falls on all of them alike. Medians are compared.

    (a) vidgen      import vidgen; vidgen.plugins.get_registry()
    (b) baseline    import the runtime dependencies that (a) really loads
    (c) catalogs    (a), then instantiate every provider that needs no settings and load
                    its catalog (shown for information; the target is on a/b)

The baseline is found, not hard-coded: a probe interpreter runs (a) and reports which
top-level modules it loaded; those that belong to a distribution vidgen declares as a
dependency make up the baseline (``--baseline`` overrides the list).

Usage::

    python benchmarks/import_time.py              # 30 rounds, print the table
    python benchmarks/import_time.py -n 50        # more rounds
    python benchmarks/import_time.py --check      # also exit 1 when a/b > 1.3

The exit status is 0 unless ``--check`` is given and the ratio is over the target, or a
sample fails to run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import textwrap

TARGET = 1.3

_TIMED = """\
import time
_t0 = time.perf_counter()
{body}
_t1 = time.perf_counter()
print(repr(_t1 - _t0))
"""

VIDGEN = """\
import vidgen
import vidgen.plugins
vidgen.plugins.get_registry()
"""

CATALOGS = """\
import vidgen
import vidgen.plugins
_registry = vidgen.plugins.get_registry()
for _name in _registry.names:
    try:
        _provider = vidgen.get_provider(_name)
    except vidgen.VidgenError:
        continue  # needs settings (a base_url, say) that only a profile can give
    _provider.catalog
"""

# Runs (a) and reports the top-level modules it loaded that belong to one of vidgen's
# declared dependencies (import names, as they appear in sys.modules).
_PROBE = """\
import json, re, sys
from importlib import metadata
before = set(sys.modules)
import vidgen
import vidgen.plugins
vidgen.plugins.get_registry()
loaded = {name.partition(".")[0] for name in set(sys.modules) - before}

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

wanted = set()
for requirement in metadata.requires("vidgen") or ():
    if "extra ==" in requirement:
        continue  # optional (dev) dependencies
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    if match:
        wanted.add(norm(match.group(0)))
owners = metadata.packages_distributions()
found = sorted(
    module for module in loaded
    if not module.startswith("_") and any(norm(d) in wanted for d in owners.get(module, ()))
)
print(json.dumps(found))
"""


def _run(python: str, code: str) -> str:
    result = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise SystemExit(
            f"a sample failed (exit {result.returncode}):\n{textwrap.indent(code, '    ')}\n"
            f"{result.stderr.strip()}"
        )
    return result.stdout.strip().splitlines()[-1]


def _sample(python: str, body: str) -> float:
    return float(_run(python, _TIMED.format(body=body)))


def find_baseline(python: str) -> list[str]:
    """The dependency modules that ``import vidgen`` plus plugin discovery loads."""
    modules: list[str] = json.loads(_run(python, _PROBE))
    return modules


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--rounds", type=int, default=30, help="samples of each kind")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 when the ratio is over {TARGET}"
    )
    parser.add_argument(
        "--baseline",
        help="comma-separated modules to import as the baseline (default: found by a probe)",
    )
    parser.add_argument(
        "--python", default=sys.executable, help="the interpreter to measure (default: this one)"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for the sample order")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")

    if args.baseline:
        baseline = [m.strip() for m in args.baseline.split(",") if m.strip()]
    else:
        baseline = find_baseline(args.python)
    for module in baseline:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", module):
            parser.error(f"{module!r} is not a module name")
    if not baseline:
        parser.error("the baseline is empty; pass --baseline httpx,attrs,cattrs,pluggy")

    kinds = {
        "vidgen": VIDGEN,
        "baseline": "".join(f"import {module}\n" for module in baseline),
        "catalogs": CATALOGS,
    }
    rng = random.Random(args.seed)
    # One unrecorded round first: byte-code compilation and a cold disk cache would
    # otherwise land on whichever kind runs first.
    for body in kinds.values():
        _sample(args.python, body)
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(args.rounds):
        order = list(kinds)
        rng.shuffle(order)
        for kind in order:
            samples[kind].append(_sample(args.python, kinds[kind]))

    medians = {kind: statistics.median(values) for kind, values in samples.items()}
    ratio = medians["vidgen"] / medians["baseline"]
    ratio_catalogs = medians["catalogs"] / medians["baseline"]
    # The fastest sample is the least disturbed by other load on the machine: a second
    # opinion when the medians are noisy.
    ratio_min = min(samples["vidgen"]) / min(samples["baseline"])

    labels = {
        "baseline": "(b) baseline: import " + ", ".join(baseline),
        "vidgen": "(a) import vidgen + get_registry()",
        "catalogs": "(c) (a) + providers and catalogs",
    }
    width = max(len(label) for label in labels.values())
    print(f"import time, {args.rounds} fresh interpreters each, interleaved ({args.python})")
    print()
    print(f"{'measurement':<{width}}  {'median':>8}  {'min':>8}  {'max':>8}  (ms)")
    for kind in ("baseline", "vidgen", "catalogs"):
        values = samples[kind]
        print(
            f"{labels[kind]:<{width}}  {_ms(medians[kind])}  {_ms(min(values))}  {_ms(max(values))}"
        )
    print()
    print(f"ratio (a)/(b): {ratio:.2f}   target: <= {TARGET}")
    print(f"ratio (c)/(b): {ratio_catalogs:.2f}   (information only)")
    print(f"ratio of the minimums (a)/(b): {ratio_min:.2f}   (information only; less noisy)")
    verdict = "OK" if ratio <= TARGET else "OVER TARGET"
    print(f"result: {verdict}")
    if ratio > TARGET:
        print(
            'find the cost with: python -X importtime -c "import vidgen; '
            'vidgen.plugins.get_registry()" 2> importtime.txt'
        )
    return 1 if args.check and ratio > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
