"""Batches: every line done once, however often the batch runs, and priced before it starts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import vidgen
from vidgen import emulator as emulator_module
from vidgen._batch import read_batch_file
from vidgen.testing import emulator

MODEL = "tiny"
TABLE = {MODEL: emulator_module.ModelProfile(synthetic_bytes=1500)}
FAST = emulator_module.Timing(queue=0, render_base=2, render_per_second=0, poll_after=0.5)
PRICED = [
    {
        "id": MODEL,
        "durations": [4, 8],
        "sizes": ["1280x720"],
        "price_per_second": "0.10",
        "price_source": "https://example.com/pricing",
        "price_as_of": "2026-11-01",
    }
]


@pytest.fixture
def emu() -> Iterator[emulator_module.Emulator]:
    with emulator(speed=50, timing=FAST, models=TABLE) as running:
        yield running


def client(emu: emulator_module.Emulator, tmp_path: Path, **kwargs: Any) -> vidgen.Client:
    settings: dict[str, Any] = {
        "ledger": tmp_path / "ledger.sqlite3",
        "delivery": "off",  # synthetic bytes, not a video
        "models": PRICED,
        **kwargs,
    }
    return vidgen.Client(
        provider="openai-compatible",
        base_url=emu.base_url("openai"),
        api_key="sk-emulator-key",
        **settings,
    )


def requests(count: int, **fields: Any) -> dict[str, vidgen.VideoRequest]:
    return {
        f"ad-{n}": vidgen.VideoRequest(
            prompt=f"a paper boat, take {n}", model=MODEL, duration=4, **fields
        )
        for n in range(count)
    }


def test_every_line_is_done_once_and_a_rerun_sends_nothing(
    emu: emulator_module.Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "videos"
    with client(emu, tmp_path) as c:
        first = c.batch(requests(6), out, concurrency=3)
    assert [r.status for r in first.values()] == ["done"] * 6
    assert sorted(p.name for p in out.iterdir()) == [f"ad-{n}.mp4" for n in range(6)]
    assert all(r.quote is not None and r.quote.amount == Decimal("0.4") for r in first.values())
    assert emu.stats().total_submits == 6

    with client(emu, tmp_path) as c:
        again = c.batch(requests(6), out, concurrency=3)
    assert [r.status for r in again.values()] == ["done"] * 6
    assert emu.stats().total_submits == 6  # nothing paid twice
    assert {r.job_id for r in again.values()} == {r.job_id for r in first.values()}


def test_lines_added_later_are_the_only_ones_sent(
    emu: emulator_module.Emulator, tmp_path: Path
) -> None:
    with client(emu, tmp_path) as c:
        c.batch(requests(3), tmp_path / "v")
        results = c.batch(requests(5), tmp_path / "v")
    assert [r.status for r in results.values()] == ["done"] * 5
    assert emu.stats().total_submits == 5


def test_the_whole_batch_is_priced_against_its_budget_before_any_submit(
    emu: emulator_module.Emulator, tmp_path: Path
) -> None:
    with client(emu, tmp_path) as c, pytest.raises(vidgen.BudgetExceeded) as caught:
        c.batch(requests(6), tmp_path / "v", budget="2.00")  # 6 x 0.40 = 2.40
    assert "2.4" in str(caught.value)
    assert "nothing was submitted" in str(caught.value)
    assert emu.stats().total_submits == 0
    with client(emu, tmp_path) as c:
        results = c.batch(requests(5), tmp_path / "v", budget="2.00")
    assert [r.status for r in results.values()] == ["done"] * 5


def test_an_unknown_price_under_a_budget_is_refused(
    emu: emulator_module.Emulator, tmp_path: Path
) -> None:
    unpriced = [{"id": MODEL, "durations": [4], "sizes": ["1280x720"]}]
    with client(emu, tmp_path, models=unpriced) as c, pytest.raises(vidgen.BudgetExceeded) as err:
        c.batch(requests(2), tmp_path / "v", budget="5")
    assert "no known price" in str(err.value)
    assert emu.stats().total_submits == 0


def test_a_custom_id_names_one_request(emu: emulator_module.Emulator, tmp_path: Path) -> None:
    with client(emu, tmp_path) as c:
        c.batch(requests(2), tmp_path / "v")
        changed = requests(2)
        changed["ad-1"] = vidgen.VideoRequest(prompt="something else", model=MODEL, duration=4)
        with pytest.raises(vidgen.InvalidInput, match=r"ad-1.*already used"):
            c.batch(changed, tmp_path / "v")
    assert emu.stats().total_submits == 2


def test_a_failed_job_stays_failed_unless_asked_again(tmp_path: Path) -> None:
    with emulator(
        speed=50, timing=FAST, models=TABLE, faults=["fail_job:prompt=take 1,times=1"]
    ) as emu:
        with client(emu, tmp_path) as c:
            first = c.batch(requests(3), tmp_path / "v")
        assert [r.status for r in first.values()] == ["done", "failed", "done"]
        assert "content" in (first["ad-1"].error or "")
        with client(emu, tmp_path) as c:
            again = c.batch(requests(3), tmp_path / "v")
        assert again["ad-1"].status == "failed"
        assert emu.stats().total_submits == 3
        with client(emu, tmp_path) as c:
            retried = c.batch(requests(3), tmp_path / "v", retry_failed=True)
        assert [r.status for r in retried.values()] == ["done"] * 3
        assert emu.stats().total_submits == 4


def test_a_lost_submit_answer_is_found_not_sent_again(tmp_path: Path) -> None:
    """The answer to one submit is cut off: the job exists but vidgen does not know its id.
    The line waits a moment (`SETTLE`), then is found in the provider's job list: adopted,
    never submitted again."""
    with emulator(
        speed=50, timing=FAST, models=TABLE, faults=["drop_after_submit:prompt=take 2,times=1"]
    ) as emu:
        with client(emu, tmp_path) as c:
            first = c.batch(requests(3), tmp_path / "v")
        assert [r.status for r in first.values()] == ["done"] * 3
        assert emu.stats().total_submits == 3  # found, never resent
        assert emu.stats().faults_fired == {"drop_after_submit": 1}
        with client(emu, tmp_path) as c:
            again = c.batch(requests(3), tmp_path / "v")
        assert [r.status for r in again.values()] == ["done"] * 3
        assert emu.stats().total_submits == 3


def test_the_async_client_runs_batches_too(emu: emulator_module.Emulator, tmp_path: Path) -> None:
    async def main() -> dict[str, vidgen.BatchResult]:
        async with vidgen.AsyncClient(
            provider="openai-compatible",
            base_url=emu.base_url("openai"),
            api_key="sk-emulator-key",
            models=PRICED,
            ledger=tmp_path / "ledger.sqlite3",
            delivery="off",
        ) as c:
            return await c.batch(requests(4), tmp_path / "v")

    results = asyncio.run(main())
    assert [r.status for r in results.values()] == ["done"] * 4
    assert emu.stats().total_submits == 4


def test_progress_is_reported(emu: emulator_module.Emulator, tmp_path: Path) -> None:
    seen: list[vidgen.BatchProgress] = []
    with client(emu, tmp_path) as c:
        c.batch(requests(3), tmp_path / "v", on_progress=seen.append)
    assert seen[-1].done == 3
    assert seen[-1].total == 3
    assert any(p.running for p in seen)


def test_a_batch_needs_the_ledger(emu: emulator_module.Emulator, tmp_path: Path) -> None:
    with (
        client(emu, tmp_path, ledger=False) as c,
        pytest.raises(vidgen.ConfigError, match="ledger"),
    ):
        c.batch(requests(1), tmp_path / "v")


# -- batch files ------------------------------------------------------------------------------


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"custom_id": "a", "prompt": "x"}', "{not json"], "jobs.jsonl line 2 is not JSON"),
        (['{"prompt": "x"}'], "jobs.jsonl line 1 has no custom_id"),
        (['{"custom_id": "a", "prompt": "x", "colour": "red"}'], "unknown key 'colour'"),
        (['{"custom_id": "a", "prompt": "x"}', '{"custom_id": "a", "prompt": "y"}'], "used twice"),
        (['{"custom_id": "a", "prompt": "x", "duration": "long"}'], "jobs.jsonl line 1"),
        (['{"custom_id": "a", "prompt": "x", "reference": "missing.png"}'], "no such image"),
        (['{"custom_id": "a", "prompt": "x", "output": "../up.mp4"}'], "plain file name"),
        (['{"custom_id": "", "prompt": "x"}'], "custom_id must be a non-empty string"),
        (["# only a comment"], "has no lines"),
        (['["a list"]'], "not a JSON object"),
    ],
)
def test_a_bad_batch_file_is_one_line_naming_the_line(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    with pytest.raises(vidgen.InvalidInput) as caught:
        read_batch_file(write(tmp_path, *lines))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_batch_file_reads_images_beside_it(tmp_path: Path) -> None:
    from vidgen.testing import png_bytes

    (tmp_path / "first.png").write_bytes(png_bytes(64, 36))
    path = write(
        tmp_path,
        json.dumps({"custom_id": "a", "prompt": "x", "reference": "first.png", "profile": "p"}),
        "",
        json.dumps({"custom_id": "b", "prompt": "y", "output": "b-final.mp4"}),
    )
    first, second = read_batch_file(path)
    assert first.request.reference is not None
    assert first.profile == "p"
    assert second.file_name == "b-final.mp4"
    again = vidgen.BatchLine.from_mapping(first.to_mapping())
    assert again.request.reference is not None
    assert again.request.reference.data == first.request.reference.data
