"""In-flight limits: a job over an account's limit waits in vidgen, never in a vendor error.

The emulator plays a vendor that caps an account's unfinished jobs (``max_running``) and
answers 429 over it, as vendors do; every test counts those refusals.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import vidgen
from vidgen import emulator as emulator_module
from vidgen._limits import SLOTS, account_of
from vidgen.testing import emulator

MODEL = "tiny"
TABLE = {MODEL: emulator_module.ModelProfile(synthetic_bytes=2048)}
REQUEST = vidgen.VideoRequest(prompt="a paper boat", model=MODEL, duration=4, aspect="16:9")
FAST = emulator_module.Timing(queue=0, render_base=2, render_per_second=0, poll_after=0.5)


def models() -> list[dict[str, Any]]:
    return [{"id": MODEL, "durations": [4], "sizes": ["1280x720"]}]


@pytest.fixture
def capped() -> Iterator[emulator_module.Emulator]:
    """A vendor whose account may run 4 jobs at once; a job takes about 0.04 s."""
    with emulator(speed=50, timing=FAST, models=TABLE, max_running=4) as running:
        yield running


def refusals(emu: emulator_module.Emulator) -> int:
    return emu.stats().faults_fired.get("account_limit", 0)


def async_client(emu: emulator_module.Emulator, **kwargs: Any) -> vidgen.AsyncClient:
    # The synthetic bytes are not a video: delivery checks are the subject of other tests.
    settings: dict[str, Any] = {"ledger": False, "delivery": "off", **kwargs}
    return vidgen.AsyncClient(
        provider="openai-compatible",
        base_url=emu.base_url("openai"),
        api_key="sk-emulator-key",
        models=models(),
        **settings,
    )


async def generate_all(client: vidgen.AsyncClient, folder: Path, count: int) -> list[Path]:
    async with client:
        return await asyncio.gather(
            *(client.generate(REQUEST, folder / f"{n}.mp4") for n in range(count))
        )


def test_jobs_over_the_limit_wait_in_vidgen(
    capped: emulator_module.Emulator, tmp_path: Path
) -> None:
    paths = asyncio.run(generate_all(async_client(capped, max_in_flight=4), tmp_path, 60))
    assert len(paths) == 60
    assert all(p.stat().st_size == 2048 for p in paths)
    assert capped.stats().total_submits == 60
    assert refusals(capped) == 0  # the vendor never saw a fifth job at once


def test_without_the_limit_the_vendor_refuses(
    capped: emulator_module.Emulator, tmp_path: Path
) -> None:
    """The control: a limit above the vendor's cap meets its 429s (vidgen then resends
    after the wait the vendor asks for, as a rate limit proves no job was made)."""
    paths = asyncio.run(generate_all(async_client(capped, max_in_flight=12), tmp_path, 24))
    assert len(paths) == 24
    assert refusals(capped) > 0
    assert capped.stats().total_submits == 24


def test_threads_share_one_accounts_slots(capped: emulator_module.Emulator, tmp_path: Path) -> None:
    client = vidgen.Client(
        provider="openai-compatible",
        base_url=capped.base_url("openai"),
        api_key="sk-emulator-key",
        models=models(),
        ledger=False,
        delivery="off",
        max_in_flight=4,
    )
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            client.generate(REQUEST, tmp_path / f"{n}.mp4")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    client.close()
    assert errors == []
    assert len(list(tmp_path.glob("*.mp4"))) == 12
    assert refusals(capped) == 0


def test_hundreds_of_jobs_with_default_settings(tmp_path: Path) -> None:
    """No pool to size, no semaphore to add: 300 at once finish with no error."""
    with emulator(speed=50, timing=FAST, models=TABLE) as emu:
        paths = asyncio.run(generate_all(async_client(emu), tmp_path, 300))
        assert emu.stats().total_submits == 300
    assert len(set(paths)) == 300
    assert all(p.stat().st_size == 2048 for p in paths)


def test_profiles_and_clients_set_the_limit(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text(
        '[profiles.relay]\nprovider = "openai-compatible"\n'
        'base_url = "https://relay.example.com/v1"\nmax_in_flight = 3\n'
    )
    config = tmp_path / "vidgen.toml"
    assert vidgen.Client("relay", config=config, ledger=False).max_in_flight == 3
    assert vidgen.Client("relay", config=config, ledger=False, max_in_flight=7).max_in_flight == 7
    assert vidgen.Client(provider="sandbox", ledger=False).max_in_flight == 16


@pytest.mark.parametrize("bad", [0, -1, 2.5, "8", True])
def test_a_bad_limit_is_one_clear_line(tmp_path: Path, bad: object) -> None:
    with pytest.raises(vidgen.ConfigError, match="max_in_flight must be a whole number"):
        vidgen.Client(provider="sandbox", ledger=False, max_in_flight=bad)  # type: ignore[arg-type]
    text = repr(bad).lower() if isinstance(bad, bool) else repr(bad)
    (tmp_path / "vidgen.toml").write_text(
        f'[profiles.p]\nprovider = "sandbox"\nmax_in_flight = {text}\n'
    )
    with pytest.raises(vidgen.ConfigError, match="max_in_flight must be a whole number") as err:
        vidgen.load_config(tmp_path / "vidgen.toml")
    assert "\n" not in str(err.value)


def test_a_route_leaves_the_limit_to_its_candidates(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text(
        '[profiles.r]\nprovider = "route"\ncandidates = ["sandbox"]\nmax_in_flight = 2\n'
    )
    with pytest.raises(vidgen.ConfigError, match="set it on the candidate profiles"):
        vidgen.load_config(tmp_path / "vidgen.toml")


def test_an_account_is_its_key_at_its_endpoint_and_the_key_never_shows() -> None:
    def provider(key: str, base: str = "https://a.example/v1") -> vidgen.Provider:
        return vidgen.get_provider("openai-compatible", api_key=key, base_url=base)

    one, same, other = provider("sk-one-0001"), provider("sk-one-0001"), provider("sk-two-0002")
    assert account_of(one) == account_of(same)
    assert account_of(one) != account_of(other)
    assert account_of(one) != account_of(provider("sk-one-0001", "https://b.example/v1"))
    assert "sk-one" not in account_of(one)


def test_a_thread_over_the_limit_waits_for_a_slot() -> None:
    semaphore = SLOTS.for_thread("test|slots|", 2)
    assert semaphore.acquire(timeout=1)
    assert semaphore.acquire(timeout=1)
    assert SLOTS.in_use("test|slots|", 2) == 2
    started = time.monotonic()
    assert not semaphore.acquire(timeout=0.1)  # a third waits (here: gives up after 0.1 s)
    assert time.monotonic() - started >= 0.09
    semaphore.release()
    semaphore.release()
    assert SLOTS.in_use("test|slots|", 2) == 0


class SlowLedger(vidgen.Ledger):
    """A ledger on a slow disk: every record takes 0.5 s (an fsync on a busy volume)."""

    def record(self, event: Any) -> int | None:
        time.sleep(0.5)
        return super().record(event)


def test_the_async_client_never_blocks_its_loop(
    capped: emulator_module.Emulator, tmp_path: Path
) -> None:
    """Ledger writes (and file writes) run off the loop: a ticker on the same loop keeps
    ticking while four jobs record every step on a slow ledger."""
    ledger = SlowLedger(tmp_path / "ledger.sqlite3")

    async def main() -> tuple[float, list[Path]]:
        worst = 0.0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal worst
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.monotonic()
                worst = max(worst, now - last)
                last = now

        tick = asyncio.create_task(ticker())
        client = async_client(capped, max_in_flight=4, ledger=ledger)
        paths = await generate_all(client, tmp_path, 4)
        done.set()
        await tick
        return worst, paths

    worst, paths = asyncio.run(main())
    assert len(paths) == 4
    assert len(ledger.entries()) == 4  # every job was recorded on the slow ledger
    # On the loop, each record would stall it 0.5 s; off it, the ticker barely notices.
    assert worst < 0.3, f"the loop stalled for {worst:.3f} s"
