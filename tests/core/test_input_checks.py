"""Everything that can fail after a job is paid for is checked before the submit.

Output paths, timeouts, damaged reference images, plain-http references, control
characters in prompts, malformed catalogs: each is refused where it is given, as a
`vidgen.InvalidInput` (also a ``ValueError``) or a `vidgen.ConfigError`, and nothing
reaches the server.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

import pytest

import vidgen
from vidgen import ConfigError, InvalidInput, InvalidInputType, Reference, VideoRequest
from vidgen.testing import (
    FakeServer,
    fake_async_client,
    fake_client,
    jpeg_bytes,
    png_bytes,
    reply,
    webp_bytes,
)

RELAY = "https://relay.example.com/v1"
MODEL = {
    "id": "veo-3.1-fast",
    "durations": [4, 8],
    "sizes": ["1280x720", "720x1280"],
    "reference": ["file", "url"],
    "price_per_second": "0.15",
}
REQUEST = VideoRequest(prompt="a koi pond at dawn", duration=8, aspect="16:9")


def queued(request: Any = None) -> dict[str, Any]:
    return {"id": "video_1", "object": "video", "status": "queued", "model": "veo-3.1-fast"}


def relay(server: FakeServer, **options: Any) -> vidgen.Client:
    return fake_client(
        server, provider="openai-compatible", base_url=RELAY, models=[MODEL], **options
    )


# -- the error classes ------------------------------------------------------------------------


def test_invalid_input_is_a_user_error_and_a_value_error() -> None:
    assert issubclass(InvalidInput, vidgen.VidgenError)
    assert issubclass(InvalidInput, ValueError)
    assert issubclass(InvalidInputType, InvalidInput)
    assert issubclass(InvalidInputType, TypeError)
    assert InvalidInput.user_error
    assert InvalidInputType.user_error
    assert "InvalidInput" in vidgen.__all__
    assert "InvalidInputType" in vidgen.__all__
    assert "InvalidInput " in (vidgen._exceptions.__doc__ or "")


@pytest.mark.parametrize(
    ("fields", "error", "param"),
    [
        ({"prompt": ""}, InvalidInput, "prompt"),
        ({"prompt": 5}, InvalidInputType, "prompt"),
        ({"duration": -1}, InvalidInput, "duration"),
        ({"duration": True}, InvalidInputType, "duration"),
        ({"aspect": "wide"}, InvalidInput, "aspect"),
        ({"aspect": 16}, InvalidInputType, "aspect"),
        ({"resolution": "hd"}, InvalidInput, "resolution"),
        ({"variants": 0}, InvalidInput, "variants"),
        ({"callback_url": "ftp://x"}, InvalidInput, "callback_url"),
        ({"provider_options": {"azure": 1}}, InvalidInputType, "provider_options"),
        ({"model": ""}, InvalidInput, "model"),
        ({"model": 2}, InvalidInputType, "model"),
    ],
)
def test_request_errors_are_vidgen_errors(
    fields: dict[str, Any], error: type[Exception], param: str
) -> None:
    values = {"prompt": "a cat", **fields}
    with pytest.raises(error) as caught:
        VideoRequest(**values)
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.param == param


def test_a_path_as_reference_says_how_to_build_one() -> None:
    with pytest.raises(
        InvalidInputType, match=r"reference=vidgen\.Reference\.from_path\('good\.png'\)"
    ):
        VideoRequest(prompt="a cat", reference="good.png")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputType, match=r"Reference\.from_url\('https://x\.example/a\.png'\)"
    ):
        VideoRequest(prompt="a cat", reference="https://x.example/a.png")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Reference\.from_bytes\(data\)"):
        VideoRequest(prompt="a cat", reference=b"\x89PNG")  # type: ignore[arg-type]


# -- prompts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("a cat\x00", "NUL"),
        ("a \x1b[31mred\x1b[0m cat", "escape"),
        ("a\x07cat", "U+0007"),
        ("a cat\r", "carriage return"),
        ("a\x85cat", "U+0085"),
    ],
)
def test_control_characters_are_refused(prompt: str, name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        VideoRequest(prompt=prompt)
    assert f"control character ({name})" in str(caught.value)
    assert "only newlines and tabs are allowed" in str(caught.value)
    assert caught.value.param == "prompt"


def test_newlines_tabs_and_windows_line_ends_are_fine() -> None:
    text = "Shot 1:\ta cat\r\nShot 2:\ta dog\n"
    assert VideoRequest(prompt=text).prompt == text


# -- reference images ---------------------------------------------------------------------------


def _cut(data: bytes, keep: int) -> bytes:
    return data[:keep]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_cut(png_bytes(64, 64), -12), "ends before its IEND chunk"),
        (_cut(png_bytes(64, 64), -2), "'IEND' chunk runs past the end"),
        (_cut(png_bytes(64, 64), 45), "'IDAT' chunk runs past the end of the file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "first chunk is not IHDR"),
        (_cut(jpeg_bytes(64, 64), -2), "no end-of-image marker (EOI)"),
        (_cut(jpeg_bytes(64, 64), 60), "runs past the end of the file"),
        (b"\xff\xd8\xff\xe0\x00\x04ab\xff\xda\x00\x02\xff\xd9", "no frame header (SOF)"),
        (_cut(webp_bytes(64, 64), -3), "RIFF header announces"),
        (_cut(webp_bytes(64, 64, kind="VP8L"), 16), "ends inside its header"),
    ],
    ids=[
        "png-no-iend",
        "png-cut-in-iend",
        "png-cut-in-idat",
        "png-no-ihdr",
        "jpeg-no-eoi",
        "jpeg-cut-in-segment",
        "jpeg-no-sof",
        "webp-short",
        "webp-header",
    ],
)
def test_damaged_images_are_refused_before_upload(data: bytes, problem: str) -> None:
    with pytest.raises(InvalidInput, match="damaged or cut short") as caught:
        Reference.from_bytes(data, filename="frame.png")
    assert problem in str(caught.value)
    assert "'frame.png'" in str(caught.value)
    assert caught.value.param == "reference"


def test_whole_images_pass() -> None:
    for data in (
        png_bytes(16, 9),
        jpeg_bytes(16, 9),
        jpeg_bytes(16, 9, progressive=True),
        webp_bytes(16, 9),
        webp_bytes(16, 9, kind="VP8L"),
        webp_bytes(16, 9, kind="VP8X"),
        png_bytes(16, 9) + b"trailing bytes after IEND are ignored by decoders",
    ):
        assert Reference.from_bytes(data).size == "16x9"


def test_plain_http_reference_urls_are_refused() -> None:
    with pytest.raises(InvalidInput, match="plain http; give an https URL"):
        Reference.from_url("http://cdn.example.com/a.png")
    assert Reference.from_url("https://cdn.example.com/a.png").url


def test_an_image_over_the_models_byte_limit_is_never_sent() -> None:
    server = FakeServer()
    limited = {**MODEL, "reference_max_bytes": 2000}
    client = fake_client(server, provider="openai-compatible", base_url=RELAY, models=[limited])
    big = Reference.from_bytes(png_bytes(1280, 720) + b"\x00" * 4000)
    with pytest.raises(vidgen.UnsupportedRequest, match="the limit is 2000"):
        client.submit(VideoRequest(prompt="a cat", reference=big))
    assert server.requests == []
    # Under nearest vidgen makes it fit instead (issue 15): what would be sent is small.
    pytest.importorskip("PIL.Image")
    client.policy = "nearest"
    fitted = client.plan(VideoRequest(prompt="a cat", reference=big)).fitted
    assert fitted.reference is not None
    assert fitted.reference.data is not None
    assert len(fitted.reference.data) <= 2000


# -- output paths and timeouts ------------------------------------------------------------------


def test_generate_refuses_a_folder_before_submitting(tmp_path: Path) -> None:
    server = FakeServer()
    with pytest.raises(InvalidInput, match="is a folder; give a file name") as caught:
        relay(server).generate(REQUEST, tmp_path)
    assert caught.value.param == "output"
    assert server.requests == []


def test_generate_refuses_an_existing_file_before_submitting(tmp_path: Path) -> None:
    server = FakeServer()
    target = tmp_path / "keep.mp4"
    target.write_bytes(b"the user's own video")
    with pytest.raises(InvalidInput, match="exists; pass overwrite=True to replace it"):
        relay(server).generate(REQUEST, target)
    assert server.requests == []
    assert target.read_bytes() == b"the user's own video"


def test_generate_replaces_a_file_only_with_overwrite(tmp_path: Path) -> None:
    server = FakeServer()
    server.route("POST", "/v1/videos", reply(json=queued()))
    server.route(
        "GET",
        "/v1/videos/video_1",
        reply(json={**queued(), "status": "completed", "progress": 100}),
    )
    server.route("GET", "/v1/videos/video_1/content", reply(content=b"new video"))
    target = tmp_path / "out.mp4"
    target.write_bytes(b"old")
    assert relay(server).generate(REQUEST, target, overwrite=True) == target
    assert target.read_bytes() == b"new video"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX modes")
def test_an_unwritable_folder_is_found_before_submitting(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    server = FakeServer()
    try:
        with pytest.raises(InvalidInput, match="is not writable"):
            relay(server).generate(REQUEST, locked / "sub" / "out.mp4")
        with pytest.raises(InvalidInput, match="is not writable"):
            relay(server).submit(REQUEST, output=locked / "out.mp4")
    finally:
        locked.chmod(0o700)
    assert server.requests == []


def test_a_folder_the_user_cannot_write_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same check as above without needing a non-root user: the folder reports no access.
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        "vidgen._checks.os.access", lambda p, mode: Path(p) != locked and real_access(p, mode)
    )
    server = FakeServer()
    with pytest.raises(InvalidInput, match=f"the folder {locked} is not writable"):
        relay(server).generate(REQUEST, locked / "out.mp4")
    assert server.requests == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_read_only_file_system_is_found_before_submitting() -> None:
    # Permission bits say yes to root; only creating a file tells.
    server = FakeServer()
    with pytest.raises(InvalidInput, match="the folder /proc is not writable"):
        relay(server).generate(REQUEST, "/proc/koi.mp4")
    assert server.requests == []


def test_an_output_under_a_file_is_found_before_submitting(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    server = FakeServer()
    with pytest.raises(InvalidInput, match=r"notes\.txt is a file, not a folder"):
        relay(server).generate(REQUEST, tmp_path / "notes.txt" / "out.mp4")
    assert server.requests == []


def test_missing_folders_are_created_on_download(tmp_path: Path) -> None:
    server = FakeServer()
    server.route("POST", "/v1/videos", reply(json=queued()))
    server.route("GET", "/v1/videos/video_1", reply(json={**queued(), "status": "completed"}))
    server.route("GET", "/v1/videos/video_1/content", reply(content=b"video"))
    target = tmp_path / "new" / "folder" / "out.mp4"
    assert relay(server).generate(REQUEST, target).read_bytes() == b"video"


@pytest.mark.parametrize("timeout", [-1, 0, math.nan, "900", True])
def test_a_bad_timeout_is_refused_before_submitting(tmp_path: Path, timeout: Any) -> None:
    server = FakeServer()
    with pytest.raises(InvalidInput, match="timeout must be a number") as caught:
        relay(server).generate(REQUEST, tmp_path / "out.mp4", timeout=timeout)
    assert caught.value.param == "timeout"
    assert server.requests == []
    with pytest.raises(InvalidInput):
        relay(server).wait("video_1", timeout=timeout)
    assert server.requests == []


def test_download_refuses_an_existing_file_and_a_folder(tmp_path: Path) -> None:
    server = FakeServer()
    client = relay(server)
    target = tmp_path / "out.mp4"
    target.write_bytes(b"mine")
    with pytest.raises(InvalidInput, match="exists; pass overwrite=True"):
        client.download("video_1", target)
    with pytest.raises(InvalidInput, match="is a folder"):
        client.download("video_1", tmp_path, overwrite=True)
    with pytest.raises(InvalidInput, match="index must be 0 or more"):
        client.download("video_1", tmp_path / "new.mp4", index=-1)
    assert server.requests == []
    assert target.read_bytes() == b"mine"


@pytest.mark.parametrize("job_id", ["", "  ", " video_1"])
def test_an_empty_job_id_is_refused_before_any_http(job_id: str) -> None:
    server = FakeServer()
    with pytest.raises(InvalidInput, match="job id"):
        relay(server).get(job_id)
    assert server.requests == []


@pytest.mark.anyio
async def test_async_generate_checks_the_same_things(tmp_path: Path) -> None:
    server = FakeServer()
    client = fake_async_client(server, provider="openai-compatible", base_url=RELAY, models=[MODEL])
    target = tmp_path / "keep.mp4"
    target.write_bytes(b"mine")
    with pytest.raises(InvalidInput, match="exists"):
        await client.generate(REQUEST, target)
    with pytest.raises(InvalidInput, match="timeout"):
        await client.generate(REQUEST, tmp_path / "new.mp4", timeout=-1)
    with pytest.raises(InvalidInput, match="exists"):
        await client.download("video_1", target)
    assert server.requests == []


# -- config and catalog values --------------------------------------------------------------------


def _client_with(models: list[dict[str, Any]]) -> vidgen.Client:
    return vidgen.Client(
        provider="openai-compatible", base_url=RELAY, api_key="sk-test", models=models, ledger=False
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"durations": "12"}, "durations: '12' is not a list; write a list, e.g. [4, 8]"),
        ({"durations": [4.5]}, "durations: 4.5 is not a whole number"),
        ({"durations": [0, 4]}, "durations must be whole seconds above 0, not 0"),
        ({"durations": [-8]}, "durations must be whole seconds above 0, not -8"),
        ({"sizes": "1280x720"}, "sizes: '1280x720' is not a list"),
        ({"price_per_second": "-0.10"}, "price per_second -0.10 must be zero or more"),
        ({"price_per_video": "-1"}, "price per_video -1 must be zero or more"),
        ({"max_prompt_chars": 0}, "max_prompt_chars must be above 0"),
        ({"audio": "yes"}, "audio: 'yes' is not true or false"),
    ],
)
def test_malformed_models_fail_at_construction(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _client_with([{**MODEL, **change}])
    assert message in str(caught.value)
    assert "veo-3.1-fast" in str(caught.value)


def test_duplicate_model_ids_in_one_list_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"model 'veo-3\.1-fast' is listed twice"):
        _client_with([MODEL, {**MODEL, "price_per_second": "0.01"}])
    with pytest.raises(ConfigError, match=r"'fast' \(an alias of 'veo-3.1-fast'\) is listed twice"):
        _client_with([{**MODEL, "aliases": ["fast"]}, {**MODEL, "id": "fast"}])


def test_duplicate_ids_in_a_shipped_catalog_are_refused() -> None:
    from vidgen._catalog import load_catalog

    raw = {"models": [MODEL, MODEL]}
    with pytest.raises(ConfigError, match="listed twice"):
        load_catalog(raw, provider="p")


def test_a_profile_may_still_override_a_shipped_model() -> None:
    client = vidgen.Client(
        provider="openai",
        api_key="sk-test",
        models=[{"id": "sora-2", "price_per_second": "0.05"}],
        ledger=False,
        allow_retired=True,
    )
    assert client.quote(VideoRequest(prompt="x", duration=8)).format_amount() == "$0.40"


def test_duplicate_models_in_a_config_profile_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "vidgen.toml"
    config.write_text(
        '[profiles.relay]\nprovider = "openai-compatible"\nbase_url = "https://r.example/v1"\n'
        '[[profiles.relay.models]]\nid = "m"\ndurations = [4]\nsizes = ["1280x720"]\n'
        '[[profiles.relay.models]]\nid = "m"\ndurations = [8]\nsizes = ["1280x720"]\n'
    )
    with pytest.raises(ConfigError, match="profile 'relay': model 'm' is listed twice"):
        vidgen.Client("relay", config=config, api_key="k", ledger=False)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_job_cost": "abc"}, "max_job_cost 'abc' is not an amount"),
        ({"max_job_cost": "-1"}, "max_job_cost '-1' must be zero or more"),
        ({"max_daily_spend": "-0.5"}, "max_daily_spend '-0.5' must be zero or more"),
        ({"policy": "lax"}, "policy must be 'strict' or 'nearest', not 'lax'"),
    ],
)
def test_client_options_fail_at_construction(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        vidgen.Client(provider="openai", api_key="sk-test", ledger=False, **options)
    assert message in str(caught.value)


def test_a_url_image_for_a_file_only_model_is_fetched_before_the_submit() -> None:
    from vidgen.testing import png_bytes, reply

    image = png_bytes(1280, 720)
    server = FakeServer()
    server.on("GET", "https://img.example.com/a.png", reply(content=image))
    server.route("POST", "/v1/videos", reply(json={"id": "video_1", "status": "queued"}))
    file_only = {**MODEL, "reference": ["file"]}
    client = fake_client(server, provider="openai-compatible", base_url=RELAY, models=[file_only])
    client.submit(
        VideoRequest(prompt="a cat", reference=Reference.from_url("https://img.example.com/a.png"))
    )
    (post,) = server.sent("POST")
    assert image in post.content  # sent as a file upload, fetched by vidgen
    assert server.sent("GET", host="img.example.com")[0].headers.get("authorization") is None
