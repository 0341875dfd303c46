"""What goes on the wire, sans-IO: request bodies, URLs, auth and the catalog's wire tables.

The bodies follow Google's reference for ``:predictLongRunning`` (``instances`` and
``parameters``) and TanStack AI's Interactions request for Gemini Omni (see
google_payloads.py for the sources).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from google_payloads import (
    GEMINI,
    INTERACTION_ID,
    KEY,
    PROJECT,
    TOKEN,
    VEO_OPERATION,
    VERTEX_OPERATION,
)

import vidgen
from vidgen.testing import png_bytes
from vidgen_google import GoogleProvider, GoogleVertexProvider

FIRST = vidgen.Reference.from_bytes(png_bytes(1280, 720), filename="first.png")
LAST = vidgen.Reference.from_bytes(png_bytes(1280, 720, grey=9), filename="last.png")
B64_FIRST = base64.b64encode(FIRST.data or b"").decode()
B64_LAST = base64.b64encode(LAST.data or b"").decode()


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def submit(provider: vidgen.provider.Provider, **fields: Any) -> httpx.Request:
    fields.setdefault("prompt", "A marble rolls down a spiral wooden track")
    return provider.build_submit(provider.fit(vidgen.VideoRequest(**fields)))


# -- Veo on the Gemini API ---------------------------------------------------------------------


def test_a_veo_request_carries_every_documented_parameter(gemini: GoogleProvider) -> None:
    request = submit(
        gemini,
        model="veo-3.1-generate-001",
        duration=8,
        aspect="9:16",
        resolution="1080p",
        reference=FIRST,
        last_frame=LAST,
        negative_prompt="no text on screen",
        seed=42,
        variants=2,
        provider_options={"google": {"personGeneration": "allow_adult"}},
    )
    assert request.method == "POST"
    assert str(request.url) == f"{GEMINI}/models/veo-3.1-generate-001:predictLongRunning"
    assert body(request) == {
        "instances": [
            {
                "prompt": "A marble rolls down a spiral wooden track",
                "image": {"bytesBase64Encoded": B64_FIRST, "mimeType": "image/png"},
                "lastFrame": {"bytesBase64Encoded": B64_LAST, "mimeType": "image/png"},
            }
        ],
        "parameters": {
            "aspectRatio": "9:16",
            "durationSeconds": 8,
            "sampleCount": 2,
            "resolution": "1080p",
            "negativePrompt": "no text on screen",
            "seed": 42,
            "personGeneration": "allow_adult",
        },
    }


def test_reference_images_go_as_assets_and_4k_as_its_wire_name(gemini: GoogleProvider) -> None:
    request = submit(
        gemini,
        model="veo-3.1-generate-001",
        duration=8,
        resolution="2160p",
        references=[FIRST, LAST],
    )
    sent = body(request)
    assert sent["instances"][0]["referenceImages"] == [
        {
            "image": {"bytesBase64Encoded": B64_FIRST, "mimeType": "image/png"},
            "referenceType": "asset",
        },
        {
            "image": {"bytesBase64Encoded": B64_LAST, "mimeType": "image/png"},
            "referenceType": "asset",
        },
    ]
    assert sent["parameters"]["resolution"] == "4k"


def test_the_key_goes_in_a_header_and_never_in_the_url(gemini: GoogleProvider) -> None:
    request = submit(gemini, model="veo-3.1-fast")
    assert request.headers["x-goog-api-key"] == KEY
    assert "authorization" not in request.headers
    assert KEY not in str(request.url)
    assert KEY not in repr(request)


def test_a_veo_family_name_picks_the_ga_id(gemini: GoogleProvider) -> None:
    for family, model in (
        ("veo-3.1", "veo-3.1-generate-001"),
        ("veo-3.1-fast", "veo-3.1-fast-generate-001"),
        ("veo-3.1-lite", "veo-3.1-lite-generate-001"),
    ):
        assert gemini.fit(vidgen.VideoRequest(prompt="x", model=family)).model == model


def test_the_veo_status_is_the_operation_name_each_segment_escaped(gemini: GoogleProvider) -> None:
    job = vidgen.Job(id=VEO_OPERATION, provider="google")
    request = gemini.build_status(job)
    assert request.method == "GET"
    assert str(request.url) == f"{GEMINI}/{VEO_OPERATION}"
    assert request.headers["x-goog-api-key"] == KEY


@pytest.mark.parametrize(
    "name",
    [
        "models/../../v1/files/operations/x",
        "models/veo/operations/a/b/c/../d",
        "operations/",
        "models//operations/x",
        "models/veo/operations/x?key=stolen",
        "models/veo/operations/x#frag",
        "models/veo/operations/" + "x" * 1100,
    ],
)
def test_a_hostile_operation_name_is_refused(gemini: GoogleProvider, name: str) -> None:
    # Refused by the neutral Job itself (an implausible id), or by the provider's URL builder.
    with pytest.raises((vidgen.UnsupportedRequest, vidgen.InvalidInput, ValueError)):
        gemini.build_status(vidgen.Job(id=name, provider="google"))


def test_an_interaction_id_is_one_path_segment(gemini: GoogleProvider) -> None:
    for ident in ("../../files/x", "a?b#c", "a%2Fb"):
        request = gemini.build_status(vidgen.Job(id=ident, provider="google"))
        assert request.url.raw_path.startswith(b"/v1beta/interactions/")
        assert request.url.raw_path.count(b"/") == 3
        assert not request.url.query
    for ident in ("..", ".", " "):
        with pytest.raises((vidgen.UnsupportedRequest, ValueError)):
            gemini.build_status(vidgen.Job(id=ident, provider="google"))


def test_the_veo_cancel_is_refused_and_says_why(gemini: GoogleProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest, match="documents no cancel"):
        gemini.build_cancel(vidgen.Job(id=VEO_OPERATION, provider="google"))
    with pytest.raises(vidgen.UnsupportedRequest):
        gemini.build_delete(vidgen.Job(id=VEO_OPERATION, provider="google"))


# -- Gemini Omni on the Interactions API -------------------------------------------------------


def test_an_omni_request_is_a_background_interaction_for_video(gemini: GoogleProvider) -> None:
    request = submit(
        gemini, model="gemini-omni-1.1-flash", duration=6, aspect="9:16", resolution="1080p"
    )
    assert str(request.url) == f"{GEMINI}/interactions"
    assert request.headers["x-goog-api-key"] == KEY
    assert "api-revision" not in request.headers
    assert body(request) == {
        "model": "gemini-omni-1.1-flash",
        "input": [
            {
                "type": "user_input",
                "content": [{"type": "text", "text": "A marble rolls down a spiral wooden track"}],
            }
        ],
        "response_modalities": ["video"],
        "background": True,
        "response_format": {
            "type": "video",
            "aspect_ratio": "9:16",
            "duration": "6s",
            "resolution": "1080p",
            "delivery": "uri",
        },
    }


def test_omni_images_go_first_as_inline_content(gemini: GoogleProvider) -> None:
    request = submit(gemini, model="gemini-omni-1.1-flash", reference=FIRST, resolution="2160p")
    sent = body(request)
    assert sent["input"][0]["content"] == [
        {"type": "image", "data": B64_FIRST, "mime_type": "image/png"},
        {"type": "text", "text": "A marble rolls down a spiral wooden track"},
    ]
    assert sent["response_format"]["resolution"] == "4k"


def test_omni_1_2_sends_its_seed_in_the_generation_config(gemini: GoogleProvider) -> None:
    request = submit(gemini, model="gemini-omni-1.2-flash", duration=15, seed=7)
    sent = body(request)
    assert sent["generation_config"] == {"seed": 7}
    assert sent["response_format"]["duration"] == "15s"


def test_the_omni_wire_is_catalog_data_a_profile_can_change() -> None:
    """The duration's type and place are UNVERIFIED, so a profile can move them."""
    provider = vidgen.get_provider(
        "google",
        api_key=KEY,
        models=[
            {
                "id": "gemini-omni-1.1-flash",
                "wire": {
                    "api": "interactions",
                    "input_format": "content",
                    "duration_field": "generation_config.video_config.duration",
                    "duration_format": "integer",
                    "resolution_field": "generation_config.video_config.resolution",
                    "delivery": "",
                },
            }
        ],
    )
    sent = body(submit(provider, duration=8))
    assert sent["input"] == [{"type": "text", "text": "A marble rolls down a spiral wooden track"}]
    assert sent["generation_config"] == {"video_config": {"duration": 8, "resolution": "720p"}}
    assert sent["response_format"] == {"type": "video", "aspect_ratio": "16:9"}


def test_provider_options_join_the_interaction_without_replacing_vidgens_fields(
    gemini: GoogleProvider,
) -> None:
    request = submit(
        gemini,
        model="gemini-omni-1.1-flash",
        provider_options={
            "google": {
                "previous_interaction_id": "v1_earlier",
                "generation_config": {"video_config": {"task": "edit"}},
                "response_format": {"duration": "3s", "extra": 1},
            }
        },
    )
    sent = body(request)
    assert sent["previous_interaction_id"] == "v1_earlier"
    assert sent["generation_config"] == {"video_config": {"task": "edit"}}
    assert sent["response_format"]["duration"] == "8s"
    assert sent["response_format"]["extra"] == 1


def test_an_api_revision_pins_the_interactions_shape() -> None:
    provider = vidgen.get_provider("google", api_key=KEY, api_revision="2026-05-20")
    request = submit(provider, model="gemini-omni-1.1-flash")
    assert request.headers["api-revision"] == "2026-05-20"
    status = provider.build_status(vidgen.Job(id=INTERACTION_ID, provider="google"))
    assert status.headers["api-revision"] == "2026-05-20"
    veo = submit(provider, model="veo-3.1-fast")
    assert "api-revision" not in veo.headers
    with pytest.raises(vidgen.ConfigError):
        vidgen.get_provider("google", api_key=KEY, api_revision="2026 05 20\r\nX: y")


def test_cancel_and_delete_an_interaction(gemini: GoogleProvider) -> None:
    job = vidgen.Job(id=INTERACTION_ID, provider="google")
    cancel = gemini.build_cancel(job)
    assert (cancel.method, str(cancel.url)) == (
        "POST",
        f"{GEMINI}/interactions/{INTERACTION_ID}/cancel",
    )
    delete = gemini.build_delete(job)
    assert (delete.method, str(delete.url)) == ("DELETE", f"{GEMINI}/interactions/{INTERACTION_ID}")


# -- keys ---------------------------------------------------------------------------------------


def test_the_key_comes_from_gemini_api_key_then_google_api_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = vidgen.get_provider("google")
    assert not provider.has_key
    with pytest.raises(vidgen.ConfigError, match=r"GEMINI_API_KEY.*GOOGLE_API_KEY"):
        provider.auth_headers()
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key-0123456789")
    provider = vidgen.get_provider("google")
    assert provider.has_key
    assert provider.auth_headers() == {"x-goog-api-key": "google-key-0123456789"}
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key-0123456789")
    provider = vidgen.get_provider("google")
    assert provider.auth_headers() == {"x-goog-api-key": "gemini-key-0123456789"}


def test_another_key_variable_is_used_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key-0123456789")
    provider = vidgen.get_provider("google", api_key_env="MY_GEMINI_KEY")
    assert not provider.has_key
    with pytest.raises(vidgen.ConfigError, match="MY_GEMINI_KEY"):
        provider.auth_headers()


# -- Veo on Vertex AI ---------------------------------------------------------------------------


def test_a_vertex_request_names_project_location_and_model(vertex: GoogleVertexProvider) -> None:
    request = submit(vertex, model="veo-3.1-generate-001", audio=False, seed=3)
    assert str(request.url) == (
        "https://us-central1-aiplatform.googleapis.com/v1/projects/vidgen-test-project/"
        "locations/us-central1/publishers/google/models/veo-3.1-generate-001:predictLongRunning"
    )
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert "x-goog-api-key" not in request.headers
    assert body(request)["parameters"] == {
        "aspectRatio": "16:9",
        "durationSeconds": 8,
        "sampleCount": 1,
        "resolution": "720p",
        "seed": 3,
        "generateAudio": False,
    }


def test_a_storage_uri_asks_veo_to_write_to_the_bucket() -> None:
    provider = vidgen.get_provider(
        "google-vertex",
        project=PROJECT,
        token_provider=lambda: TOKEN,
        storage_uri="gs://vidgen-test-bucket/veo/",
    )
    assert body(submit(provider))["parameters"]["storageUri"] == "gs://vidgen-test-bucket/veo/"


def test_vertex_reads_an_operation_with_fetch_predict_operation(
    vertex: GoogleVertexProvider,
) -> None:
    request = vertex.build_status(vidgen.Job(id=VERTEX_OPERATION, provider="google-vertex"))
    assert request.method == "POST"
    assert str(request.url) == (
        "https://us-central1-aiplatform.googleapis.com/v1/projects/vidgen-test-project/"
        "locations/us-central1/publishers/google/models/veo-3.1-generate-001:fetchPredictOperation"
    )
    assert body(request) == {"operationName": VERTEX_OPERATION}


def test_vertex_reads_an_operation_in_its_own_region(vertex: GoogleVertexProvider) -> None:
    name = VERTEX_OPERATION.replace("us-central1", "europe-west4")
    request = vertex.build_status(vidgen.Job(id=name, provider="google-vertex"))
    assert request.url.host == "europe-west4-aiplatform.googleapis.com"


@pytest.mark.parametrize(
    "name",
    [
        "models/veo-3.1-fast-generate-001/operations/abc",
        "projects/p/locations/l/publishers/google/models/m/operations/../../x",
        "projects/p/locations/evil.example.com#/publishers/google/models/m/operations/x",
    ],
)
def test_vertex_refuses_what_is_not_a_vertex_operation(
    vertex: GoogleVertexProvider, name: str
) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        vertex.build_status(vidgen.Job(id=name, provider="google-vertex"))


def test_the_global_location_uses_the_global_host() -> None:
    provider = vidgen.get_provider(
        "google-vertex", project=PROJECT, location="global", token_provider=lambda: TOKEN
    )
    assert submit(provider).url.host == "aiplatform.googleapis.com"


def test_vertex_has_no_omni_and_no_cancel(vertex: GoogleVertexProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        vertex.fit(vidgen.VideoRequest(prompt="x", model="gemini-omni-1.1-flash"))
    with pytest.raises(vidgen.UnsupportedRequest, match="cannot cancel"):
        vertex.build_cancel(vidgen.Job(id=VERTEX_OPERATION, provider="google-vertex"))
    bad = vidgen.get_provider(
        "google-vertex",
        project=PROJECT,
        token_provider=lambda: TOKEN,
        models=[
            {"id": "omni", "durations": [8], "sizes": ["1280x720"], "wire": {"api": "interactions"}}
        ],
    )
    with pytest.raises(vidgen.ConfigError, match="api must be one of predict"):
        bad.fit(vidgen.VideoRequest(prompt="x", model="omni"))


# -- wire tables a profile writes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ({"api": "generate"}, "api must be one of"),
        ({"duration_format": "float"}, "duration_format must be one of"),
        ({"resolutions": {"2160p": 4}}, "resolutions must map"),
        ({"durations_by_resolution": {"1080p": "eight"}}, "list of whole seconds"),
        ({"durations_with_references": []}, "list of whole seconds"),
        ({"send_resolution": "yes"}, "send_resolution"),
        ({"person_generation": "allow_all"}, "list of strings"),
        ({"audio_parameter": "generate audio"}, "audio_parameter"),
    ],
)
def test_a_bad_predict_wire_table_is_a_config_error(wire: dict[str, Any], message: str) -> None:
    provider = vidgen.get_provider(
        "google",
        api_key=KEY,
        models=[{"id": "my-veo", "durations": [8], "sizes": ["1280x720"], "wire": wire}],
    )
    with pytest.raises(vidgen.ConfigError, match=message):
        provider.build_submit(provider.fit(vidgen.VideoRequest(prompt="x", model="my-veo")))


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ({"duration_field": "response_format..duration"}, "dotted field path"),
        ({"input_format": "turns"}, "input_format must be one of"),
        ({"delivery": 1}, "delivery must be a string"),
        ({"durations_with_frames": [0]}, "list of whole seconds"),
    ],
)
def test_a_bad_interactions_wire_table_is_a_config_error(
    wire: dict[str, Any], message: str
) -> None:
    provider = vidgen.get_provider(
        "google",
        api_key=KEY,
        models=[
            {
                "id": "my-omni",
                "durations": [8],
                "sizes": ["1280x720"],
                "wire": {"api": "interactions", **wire},
            }
        ],
    )
    with pytest.raises(vidgen.ConfigError, match=message):
        provider.build_submit(provider.fit(vidgen.VideoRequest(prompt="x", model="my-omni")))


def test_a_user_veo_model_may_send_the_duration_as_a_string() -> None:
    provider = vidgen.get_provider(
        "google",
        api_key=KEY,
        models=[
            {
                "id": "my-veo",
                "durations": [5],
                "sizes": ["1280x720"],
                "wire": {"duration_format": "seconds_string", "send_resolution": False},
            }
        ],
    )
    parameters = body(submit(provider, model="my-veo"))["parameters"]
    assert parameters["durationSeconds"] == "5s"
    assert "resolution" not in parameters
