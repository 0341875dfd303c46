import pytest

import vidgen
from vidgen.testing import FakeClock


@pytest.mark.vcr
def test_generate_sync(tmp_path):
    clock = FakeClock(start=1712697600)
    client = vidgen.Client(
        provider="openai", api_key="sk-test", allow_retired=True, clock=clock, sleep=clock.sleep
    )
    request = vidgen.VideoRequest(
        prompt="A calico cat playing a piano on stage", duration=8, aspect="16:9"
    )
    seen = []
    out = client.generate(request, tmp_path / "out.mp4", on_progress=seen.append)
    assert out.read_bytes() == b"stub-mp4-bytes-for-video_123!!"
    assert [j.progress for j in seen] == [0, 33, 80, 100]
    assert clock.sleeps[0] == 2.0
