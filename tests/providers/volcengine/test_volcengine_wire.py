"""What ``volcengine`` does differently from ``byteplus``: host, ids, models, currency.

The protocol itself is tested under tests/providers/byteplus.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from volcengine_payloads import API, CREATE_BODY, KEY, REQUEST, SUCCEEDED, TASK_URL, TASKS

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response

LITE_T2V = "doubao-seedance-1-0-lite-t2v-250428"
LITE_I2V = "doubao-seedance-1-0-lite-i2v-250428"


@pytest.fixture
def provider() -> Provider:
    return vidgen.get_provider("volcengine", api_key=KEY)


def body_of(provider: Provider, **fields: Any) -> Any:
    fields.setdefault("prompt", "x")
    return json.loads(provider.build_submit(provider.fit(vidgen.VideoRequest(**fields))).content)


def test_defaults(provider: Provider) -> None:
    assert provider.base_url == API
    assert provider.key_env == "ARK_API_KEY"
    assert provider.catalog.default_model == "doubao-seedance-2-0-260128"
    assert all(s.id.startswith("doubao-seedance-") for s in provider.catalog.models)


def test_the_documented_request(provider: Provider) -> None:
    request = provider.build_submit(provider.fit(REQUEST))
    assert str(request.url) == TASKS
    assert json.loads(request.content) == CREATE_BODY


@pytest.mark.parametrize(
    ("family", "model"),
    [
        ("seedance-2.0", "doubao-seedance-2-0-260128"),
        ("seedance-2.5", "doubao-seedance-2-5-260628"),
        ("seedance-1.5-pro", "doubao-seedance-1-5-pro-251215"),
        ("seedance-1.0-lite", LITE_T2V),
    ],
)
def test_families_resolve_to_volcengine_ids(provider: Provider, family: str, model: str) -> None:
    assert provider.fit(vidgen.VideoRequest(prompt="x", model=family)).model == model


def test_seedance_1_0_lite_sends_the_id_of_its_mode(provider: Provider) -> None:
    image = vidgen.Reference.from_url("https://example.com/cat.png")
    assert body_of(provider, model="seedance-1.0-lite")["model"] == LITE_T2V
    assert body_of(provider, model="seedance-1.0-lite", reference=image)["model"] == LITE_I2V
    refs = body_of(provider, model=LITE_I2V, references=[image, image])
    assert refs["model"] == LITE_I2V
    assert [c.get("role") for c in refs["content"]] == [None, "reference_image", "reference_image"]
    # Asked for by its i2v id without an image: the t2v id goes out.
    assert body_of(provider, model=LITE_I2V)["model"] == LITE_T2V


def test_a_bad_wire_id_is_a_config_error() -> None:
    provider = vidgen.get_provider(
        "volcengine",
        api_key=KEY,
        models=[{"id": "doubao-seedance-1-0-lite-t2v-250428", "wire": {"t2v": 7}}],
    )
    with pytest.raises(vidgen.ConfigError, match=r"wire\.t2v"):
        provider.build_submit(
            provider.fit(vidgen.VideoRequest(prompt="x", model="seedance-1.0-lite"))
        )


def test_prices_are_in_yuan(provider: Provider) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", duration=5, resolution="720p"))
    quote = provider.quote(fitted)
    assert (quote.currency, quote.unit_price) == ("CNY", Decimal("46"))
    assert quote.amount == Decimal(46) * 108900 / 1_000_000
    assert quote.source == "https://www.volcengine.com/docs/82379/1544106"
    assert (
        provider.quote(
            provider.fit(vidgen.VideoRequest(prompt="x", model="seedance-1.5-pro"))
        ).amount
        is None
    )


def test_the_documented_response(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=SUCCEEDED, url=TASK_URL))
    assert (job.status, job.seconds, job.size) == (JobStatus.SUCCEEDED, 5, "1920x1080")
    assert job.usage is not None
    assert job.usage.tokens == 246840
    assert job.outputs[0].url == SUCCEEDED["content"]["video_url"]
    callback = provider.parse_callback({}, json.dumps(SUCCEEDED).encode())
    assert (callback.id, callback.status) == (job.id, job.status)
