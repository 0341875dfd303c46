"""What vidgen's lifecycle costs per job, next to a raw httpx loop doing the same work.

One job is: submit, poll until completed, and a durable download (part file, SHA-256,
fsync, rename). Both sides run it against the same emulator, in its own process, so the
server's work is not counted:

    (a) vidgen     Client.generate(request, path), with the job ledger on (a SQLite file)
    (b) raw loop   httpx by hand: POST, GET until completed (polling as vidgen does:
                   at once, then as ``openai-poll-after-ms`` says, never under 0.2 s),
                   then the durable download (benchmarks/_support.py)
    (c) vidgen     the same as (a) with ``ledger=False``, for information: the
                   ledger's share of (a)

The emulator answers fast: a job completes 0.1 s after its submit, so each job is one
submit, two polls, one sleep and one download on both sides. Its content is synthetic
(``ModelProfile.synthetic_bytes``, 3 MB by default, about an 8-second 720p clip), made
once, so rendering never enters the numbers.

CPU is this process's time (``time.process_time``: what the client itself burns); wall
is the elapsed time per job, which includes the poll sleep and the server's work. The three
kinds of sample are interleaved, in a new random order each round, after a warm-up; the
table shows the median, minimum and maximum per job, and the ratios of the medians.

    python benchmarks/lifecycle.py                 # 7 rounds of 8 jobs each
    python benchmarks/lifecycle.py -n 11 --jobs 10 --size-mb 3
    python benchmarks/lifecycle.py --check         # also exit 1 when the CPU ratio is over 1.10

Target: vidgen's CPU per job at most 1.10 times the raw loop's.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from _support import emulator_process, ms, raw_job

import vidgen

TARGET = 1.10
MODEL = "bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--rounds", type=int, default=7, help="samples of each kind")
    parser.add_argument("--jobs", type=int, default=8, help="jobs per sample")
    parser.add_argument("--size-mb", type=float, default=3.0, help="content size in MB")
    parser.add_argument("--seed", type=int, default=None, help="seed for the sample order")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 when the CPU ratio is over {TARGET}"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.jobs < 1:
        parser.error("--rounds and --jobs must be 1 or more")
    size = int(args.size_mb * 1_000_000)

    with (
        emulator_process(
            "--queue",
            "0",
            "--render-base",
            "0.1",
            "--render-per-second",
            "0",
            "--poll-after",
            "0.2",
            "--model",
            f"{MODEL}:synthetic_bytes={size}",
        ) as origin,
        tempfile.TemporaryDirectory(prefix="vidgen-bench-lifecycle-") as folder,
    ):
        base_url = f"{origin}/v1"
        work = Path(folder)
        models = [
            {
                "id": MODEL,
                "durations": [4],
                "sizes": ["1280x720"],
                "price_per_second": "0.10",
                "price_source": "the benchmark",
                "price_as_of": "2026-11-30",
            }
        ]
        client = vidgen.Client(
            provider="openai-compatible",
            base_url=base_url,
            api_key="bench-key",
            models=models,
            ledger=work / "ledger.sqlite3",
            delivery="off",  # the synthetic bytes are not a video; the raw loop probes nothing
        )
        unledgered = vidgen.Client(
            provider="openai-compatible",
            base_url=base_url,
            api_key="bench-key",
            models=models,
            ledger=False,
            delivery="off",
        )
        raw = httpx.Client(headers={"Authorization": "Bearer bench-key"}, timeout=60)
        request = vidgen.VideoRequest(prompt="bench", duration=4, aspect="16:9", model=MODEL)
        counter = iter(range(10**9))

        def vidgen_job() -> None:
            client.generate(request, work / f"v{next(counter)}.mp4")

        def raw_job_once() -> None:
            raw_job(raw, base_url, MODEL, work / f"r{next(counter)}.mp4")

        def unledgered_job() -> None:
            unledgered.generate(request, work / f"u{next(counter)}.mp4")

        kinds: dict[str, Callable[[], None]] = {
            "vidgen": vidgen_job,
            "raw": raw_job_once,
            "no-ledger": unledgered_job,
        }

        def sample(job: Callable[[], None]) -> tuple[float, float]:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for _ in range(args.jobs):
                job()
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            for path in work.glob("*.mp4"):
                path.unlink()
            return cpu / args.jobs, wall / args.jobs

        # Warm-up, unrecorded: the synthetic file, the ledger's schema, connections.
        for job in kinds.values():
            sample(job)
        cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
        wall: dict[str, list[float]] = {kind: [] for kind in kinds}
        rng = random.Random(args.seed)
        for _ in range(args.rounds):
            order = list(kinds)
            rng.shuffle(order)
            for kind in order:
                c, w = sample(kinds[kind])
                cpu[kind].append(c)
                wall[kind].append(w)
        client.close()
        unledgered.close()
        raw.close()

    labels = {
        "raw": "(b) raw httpx loop + durable download",
        "vidgen": "(a) vidgen Client.generate, ledger on",
        "no-ledger": "(c) vidgen Client.generate, ledger off",
    }
    width = max(len(label) for label in labels.values())
    print(
        f"lifecycle per job: submit, 2 polls, download of {size / 1e6:g} MB; "
        f"{args.rounds} rounds x {args.jobs} jobs, interleaved ({sys.executable})"
    )
    print()
    header = f"{'measurement':<{width}}  {'median':>8}  {'min':>8}  {'max':>8}  (ms per job)"
    for title, table in (("CPU (process time)", cpu), ("wall", wall)):
        print(title)
        print(header)
        for kind in ("raw", "vidgen", "no-ledger"):
            values = table[kind]
            print(
                f"{labels[kind]:<{width}}  {ms(statistics.median(values))}  "
                f"{ms(min(values))}  {ms(max(values))}"
            )
        print()
    cpu_ratio = statistics.median(cpu["vidgen"]) / statistics.median(cpu["raw"])
    wall_ratio = statistics.median(wall["vidgen"]) / statistics.median(wall["raw"])
    cpu_min_ratio = min(cpu["vidgen"]) / min(cpu["raw"])
    cpu_unledgered = statistics.median(cpu["no-ledger"]) / statistics.median(cpu["raw"])
    print(f"CPU ratio (a)/(b): {cpu_ratio:.2f}   target: <= {TARGET}")
    print(f"CPU ratio of the minimums (a)/(b): {cpu_min_ratio:.2f}   (information only)")
    print(f"CPU ratio (c)/(b): {cpu_unledgered:.2f}   (information only: without the ledger)")
    print(f"wall ratio (a)/(b): {wall_ratio:.2f}   (information only)")
    print(f"result: {'OK' if cpu_ratio <= TARGET else 'OVER TARGET'}")
    return 1 if args.check and cpu_ratio > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
