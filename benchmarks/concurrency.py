"""Many jobs at once: vidgen's AsyncClient next to a raw httpx asyncio loop, same concurrency.

Each side runs ``--jobs`` jobs (default 1,000) against one emulator in its own process,
at most ``--concurrency`` at a time (default 50), and reports its wall time, its peak
memory (the side runs in a fresh interpreter, so ``ru_maxrss`` is its own) and its errors:

    (a) vidgen     AsyncClient(max_in_flight=N).generate(...) for every job, all started
                   at once with asyncio.gather; the job ledger on (a SQLite file); no pool
                   sizing, no semaphore: vidgen's in-flight limit does both
    (b) raw loop   httpx.AsyncClient with a pool of N and an asyncio.Semaphore(N): POST,
                   poll until completed (as vidgen polls), then a durable download (part
                   file, SHA-256, fsync and rename in a thread), by hand
    (c) vidgen     as (a) with default settings (no max_in_flight: the default of 16),
                   for information: 1,000 jobs at once must end with no error

The emulator finishes a job 0.1 s after its submit and serves ``--size-kb`` synthetic
bytes (no rendering), so the client side is what is measured. Sides alternate, after a
warm-up, ``--rounds`` times; the table shows medians and the ratios of the medians.

    python benchmarks/concurrency.py                  # 3 rounds of 1,000 jobs, 50 at once
    python benchmarks/concurrency.py --jobs 300 --rounds 1 --concurrency 20
    python benchmarks/concurrency.py --check          # exit 1 when over target

Targets: (a)/(b) wall time at most 1.15, and no errors on either vidgen side.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _support import MIN_POLL, emulator_process

TARGET = 1.15
MODEL = "bench"


# -- one side, in its own interpreter ---------------------------------------------------------


async def _vidgen_side(base_url: str, jobs: int, concurrency: int | None, folder: Path) -> int:
    import vidgen

    settings: dict[str, Any] = {} if concurrency is None else {"max_in_flight": concurrency}
    client = vidgen.AsyncClient(
        provider="openai-compatible",
        base_url=base_url,
        api_key="bench-key",
        models=[{"id": MODEL, "durations": [4], "sizes": ["1280x720"]}],
        ledger=folder / "ledger.sqlite3",
        delivery="off",  # synthetic bytes, not a video
        **settings,
    )
    request = vidgen.VideoRequest(prompt="bench", duration=4, aspect="16:9", model=MODEL)
    async with client:
        results = await asyncio.gather(
            *(client.generate(request, folder / f"{n}.mp4") for n in range(jobs)),
            return_exceptions=True,
        )
    return sum(1 for r in results if isinstance(r, BaseException))


def _write_part(part: Path, chunks: list[bytes], digest: Any) -> None:
    with part.open("ab") as out:
        for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)


def _finish(part: Path, target: Path) -> None:
    with part.open("rb+") as out:
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


async def _raw_job(http: Any, base_url: str, target: Path) -> None:
    answer = await http.post(
        f"{base_url}/videos",
        json={"model": MODEL, "prompt": "bench", "seconds": "4", "size": "1280x720"},
    )
    answer.raise_for_status()
    video = answer.json()
    while True:
        answer = await http.get(f"{base_url}/videos/{video['id']}")
        answer.raise_for_status()
        video = answer.json()
        if video["status"] == "completed":
            break
        if video["status"] == "failed":
            raise RuntimeError(f"job failed: {video}")
        hint = int(answer.headers.get("openai-poll-after-ms", "1000")) / 1000
        await asyncio.sleep(max(MIN_POLL, hint))
    part = target.with_name(f".{target.name}.part")
    digest = hashlib.sha256()
    url = f"{base_url}/videos/{video['id']}/content"
    async with http.stream("GET", url, headers={"Accept-Encoding": "identity"}) as response:
        response.raise_for_status()
        batch: list[bytes] = []
        async for chunk in response.aiter_raw():
            batch.append(chunk)
        await asyncio.to_thread(_write_part, part, batch, digest)
    await asyncio.to_thread(_finish, part, target)


async def _raw_side(base_url: str, jobs: int, concurrency: int, folder: Path) -> int:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(
        headers={"Authorization": "Bearer bench-key"}, timeout=60, limits=limits
    ) as http:

        async def one(n: int) -> None:
            async with gate:
                await _raw_job(http, base_url, folder / f"{n}.mp4")

        results = await asyncio.gather(*(one(n) for n in range(jobs)), return_exceptions=True)
    return sum(1 for r in results if isinstance(r, BaseException))


def run_side(kind: str, base_url: str, jobs: int, concurrency: int) -> dict[str, float]:
    """One side in this interpreter: its wall time, peak RSS and error count."""
    with tempfile.TemporaryDirectory(prefix=f"vidgen-bench-{kind}-") as folder:
        os.environ["VIDGEN_HOME"] = folder
        started = time.perf_counter()
        if kind == "raw":
            errors = asyncio.run(_raw_side(base_url, jobs, concurrency, Path(folder)))
        else:
            limit = None if kind == "default" else concurrency
            errors = asyncio.run(_vidgen_side(base_url, jobs, limit, Path(folder)))
        wall = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"wall": wall, "rss_mb": rss_mb, "errors": errors}


def sample(kind: str, base_url: str, jobs: int, concurrency: int) -> dict[str, float]:
    """One side in a fresh interpreter, so its peak memory is its own."""
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--side",
            kind,
            "--base-url",
            base_url,
            "--jobs",
            str(jobs),
            "--concurrency",
            str(concurrency),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {kind} side failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=1000, help="jobs per side and round")
    parser.add_argument("--concurrency", type=int, default=50, help="jobs at once")
    parser.add_argument("-n", "--rounds", type=int, default=3, help="rounds")
    parser.add_argument("--size-kb", type=int, default=256, help="content size in KB")
    parser.add_argument("--check", action="store_true", help="exit 1 when over target")
    parser.add_argument("--side", choices=("vidgen", "raw", "default"), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        print(json.dumps(run_side(args.side, args.base_url, args.jobs, args.concurrency)))
        return 0
    kinds = ("raw", "vidgen", "default")
    results: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    with emulator_process(
        "--queue",
        "0",
        "--render-base",
        "0.1",
        "--render-per-second",
        "0",
        "--poll-after",
        "0.2",
        "--retention",
        "86400",
        "--model",
        f"{MODEL}:synthetic_bytes={args.size_kb * 1000}",
    ) as origin:
        base_url = f"{origin}/v1"
        sample("raw", base_url, min(args.jobs, 50), args.concurrency)  # warm-up
        for round_number in range(args.rounds):
            order = kinds if round_number % 2 == 0 else tuple(reversed(kinds))
            for kind in order:
                results[kind].append(sample(kind, base_url, args.jobs, args.concurrency))

    labels = {
        "raw": f"(b) raw httpx loop, pool and semaphore of {args.concurrency}",
        "vidgen": f"(a) vidgen AsyncClient, max_in_flight={args.concurrency}",
        "default": "(c) vidgen AsyncClient, default settings",
    }
    width = max(len(label) for label in labels.values())
    print(
        f"{args.jobs} jobs at once, {args.size_kb} KB each, {args.rounds} rounds ({sys.executable})"
    )
    print(f"{'side':<{width}}  {'wall s':>8}  {'peak RSS MB':>11}  {'errors':>6}")
    medians: dict[str, dict[str, float]] = {}
    for kind in kinds:
        rows = results[kind]
        medians[kind] = {
            key: statistics.median(row[key] for row in rows) for key in ("wall", "rss_mb")
        }
        errors = sum(int(row["errors"]) for row in rows)
        medians[kind]["errors"] = errors
        print(
            f"{labels[kind]:<{width}}  {medians[kind]['wall']:8.2f}  "
            f"{medians[kind]['rss_mb']:11.1f}  {errors:6d}"
        )
    wall_ratio = medians["vidgen"]["wall"] / medians["raw"]["wall"]
    rss_ratio = medians["vidgen"]["rss_mb"] / medians["raw"]["rss_mb"]
    errors = int(medians["vidgen"]["errors"] + medians["default"]["errors"])
    print()
    print(f"wall ratio (a)/(b): {wall_ratio:.2f}   target: <= {TARGET}")
    print(f"peak RSS ratio (a)/(b): {rss_ratio:.2f}   (information only)")
    print(f"vidgen errors: {errors}   target: 0")
    ok = wall_ratio <= TARGET and errors == 0
    print(f"result: {'OK' if ok else 'OVER TARGET'}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
