"""Download throughput and peak memory: vidgen's ``Client.download`` against a raw httpx loop.

Both download the same finished job's content from the emulator (in its own process),
at two sizes (30 MB and 300 MB by default), into a file, durably:

    (a) vidgen     Client.download(job, path), ledger on: part file, SHA-256 while
                   writing, size checks, fsync, rename, the ledger row
    (b) raw loop   httpx streaming by hand: part file, SHA-256, fsync, rename
                   (benchmarks/_support.py)

Each sample runs in a fresh child process, which times only the downloads (the client is
made and the connection opened first) and reports its own peak resident memory
(``VmHWM`` from /proc, else ``ru_maxrss``) and how much the peak grew while downloading.
A sample downloads the file again until about 300 MB have come (``--total-mb``: ten
30 MB downloads, one 300 MB download): a single 30 MB download lasts a tenth of a
second, too short to time on a shared machine. The emulator serves synthetic content
(``ModelProfile.synthetic_bytes``), made once, so nothing is rendered. Kinds are
interleaved, in a new random order each round, after a warm-up round.

    python benchmarks/download.py                    # 5 rounds at 30 MB and 300 MB
    python benchmarks/download.py -n 9 --sizes 30,300
    python benchmarks/download.py --check            # exit 1 when a throughput ratio < 0.95

Target: vidgen's median throughput at least 0.95 times the raw loop's, at each size.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from _support import create_job, emulator_process

TARGET = 0.95
HERE = Path(__file__).resolve().parent

_CHILD = """\
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {here!r})
kind, base_url, job_id, target, ledger = sys.argv[1:6]
repeat = int(sys.argv[6])


def peak_kib():
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if kind == "vidgen":
    import vidgen
    client = vidgen.Client(
        provider="openai-compatible", base_url=base_url, api_key="bench-key",
        models=[{{"id": "bench", "durations": [4], "sizes": ["1280x720"]}}],
        ledger=ledger, delivery="off",  # synthetic bytes: nothing to probe
    )
    job = client.get(job_id)  # a finished job, and an open connection
    before = peak_kib()
    seconds = 0.0
    for _ in range(repeat):
        Path(target).unlink(missing_ok=True)
        started = time.perf_counter()
        client.download(job, target)
        seconds += time.perf_counter() - started
else:
    import httpx
    from _support import durable_download
    http = httpx.Client(headers={{"Authorization": "Bearer bench-key"}}, timeout=120)
    http.get(f"{{base_url}}/videos/{{job_id}}").raise_for_status()
    before = peak_kib()
    seconds = 0.0
    for _ in range(repeat):
        Path(target).unlink(missing_ok=True)
        started = time.perf_counter()
        durable_download(http, f"{{base_url}}/videos/{{job_id}}/content", Path(target))
        seconds += time.perf_counter() - started
size = Path(target).stat().st_size
print(json.dumps({{
    "seconds": seconds, "bytes": size * repeat, "size": size, "before": before, "peak": peak_kib()
}}))
"""


def _sample(
    python: str, kind: str, base_url: str, job_id: str, folder: Path, expected: int, repeat: int
) -> dict[str, float]:
    target = folder / f"{kind}.mp4"
    ledger = folder / "ledger.sqlite3"
    result = subprocess.run(
        [
            python,
            "-c",
            _CHILD.format(here=str(HERE)),
            kind,
            base_url,
            job_id,
            str(target),
            str(ledger),
            str(repeat),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    target.unlink(missing_ok=True)
    if result.returncode != 0:
        raise SystemExit(f"a {kind} sample failed:\n{result.stderr.strip()}")
    data: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    if data["size"] != expected:
        raise SystemExit(f"a {kind} sample saved {data['size']} bytes, not {expected}")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--rounds", type=int, default=5, help="samples of each kind")
    parser.add_argument(
        "--sizes", default="30,300", help="comma-separated sizes in MB (10^6 bytes)"
    )
    parser.add_argument(
        "--total-mb",
        type=float,
        default=300.0,
        help="each sample downloads the file again until this much has come (default 300 MB: "
        "ten 30 MB downloads, one 300 MB download), so small files are not timed on 0.1 s",
    )
    parser.add_argument("--python", default=sys.executable, help="the interpreter to measure")
    parser.add_argument("--seed", type=int, default=None, help="seed for the sample order")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 when a throughput ratio is under {TARGET}"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    sizes = [int(float(text) * 1_000_000) for text in args.sizes.split(",") if text.strip()]
    models = [f"--model=bench{size}:synthetic_bytes={size}" for size in sizes]

    rng = random.Random(args.seed)
    results: dict[int, dict[str, list[dict[str, float]]]] = {}
    with (
        emulator_process(*models, "--queue", "0", "--render-base", "0") as origin,
        tempfile.TemporaryDirectory(prefix="vidgen-bench-download-") as folder,
    ):
        base_url = f"{origin}/v1"
        with httpx.Client(timeout=60) as http:
            jobs = {size: create_job(http, base_url, f"bench{size}") for size in sizes}
        for size in sizes:
            repeat = max(1, round(args.total_mb * 1_000_000 / size))
            kinds = ("vidgen", "raw")
            for kind in kinds:  # warm-up: the synthetic file, the page cache, the ledger
                _sample(args.python, kind, base_url, jobs[size], Path(folder), size, 1)
            results[size] = {kind: [] for kind in kinds}
            for _ in range(args.rounds):
                order = list(kinds)
                rng.shuffle(order)
                for kind in order:
                    results[size][kind].append(
                        _sample(args.python, kind, base_url, jobs[size], Path(folder), size, repeat)
                    )

    print(
        f"download throughput and peak RSS, {args.rounds} fresh processes per row, "
        f"interleaved ({args.python})"
    )
    print()
    print(
        f"{'size':>7}  {'kind':<7}  {'MB/s median':>11}  {'min':>7}  {'max':>7}  "
        f"{'peak RSS MB':>11}  {'growth MB':>9}"
    )
    worst = float("inf")
    ratios = []
    for size in sizes:
        rates = {}
        for kind in ("raw", "vidgen"):
            samples = results[size][kind]
            speeds = [s["bytes"] / s["seconds"] / 1e6 for s in samples]
            peak = statistics.median(s["peak"] for s in samples) / 1024
            growth = statistics.median(s["peak"] - s["before"] for s in samples) / 1024
            rates[kind] = statistics.median(speeds)
            print(
                f"{size / 1e6:>5g}MB  {kind:<7}  {rates[kind]:11.1f}  {min(speeds):7.1f}  "
                f"{max(speeds):7.1f}  {peak:11.1f}  {growth:9.1f}"
            )
        ratio = rates["vidgen"] / rates["raw"]
        ratios.append((size, ratio))
        worst = min(worst, ratio)
    print()
    for size, ratio in ratios:
        print(f"throughput ratio (a)/(b) at {size / 1e6:g} MB: {ratio:.2f}   target: >= {TARGET}")
    print(f"result: {'OK' if worst >= TARGET else 'UNDER TARGET'}")
    return 1 if args.check and worst < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
