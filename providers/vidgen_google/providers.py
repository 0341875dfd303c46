"""The ``google`` (Gemini API) and ``google-vertex`` (Vertex AI) providers."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from vidgen import AuthenticationError, ConfigError, Job, UnsupportedRequest, VidgenError
from vidgen.provider import Secret

from .protocol import GoogleVideoProvider, is_operation, operation_path, read_body, segment

if TYPE_CHECKING:
    from vidgen import Fitted

__all__ = ["GoogleProvider", "GoogleVertexProvider"]

GEMINI_KEY_ENV = "GEMINI_API_KEY"
GOOGLE_KEY_ENV = "GOOGLE_API_KEY"
PROJECT_ENV = "GOOGLE_CLOUD_PROJECT"
LOCATION_ENV = "GOOGLE_CLOUD_LOCATION"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"

_REVISION = re.compile(r"^[0-9A-Za-z._-]{1,40}$")
_LOCATION = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_PROJECT = re.compile(r"^[a-z0-9][a-z0-9.:-]{0,99}$")
_BUCKET_URI = re.compile(r"^gs://[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](?:/\S*)?$")
_VERTEX_OPERATION = re.compile(
    r"^projects/([^/]+)/locations/([^/]+)/publishers/([^/]+)/models/([^/]+)/operations/([^/]+)$"
)


class GoogleProvider(GoogleVideoProvider):
    """Google's Gemini API: Veo on ``:predictLongRunning`` and Gemini Omni on the
    Interactions API, chosen per model by the catalog's ``wire.api``.

    Settings:
        api_key: the key (default ``$GEMINI_API_KEY``, else ``$GOOGLE_API_KEY``), sent as
            the ``x-goog-api-key`` header, never in a URL.
        api_revision: an ``Api-Revision`` header for the Interactions API (unset by
            default, as in Google's SDKs since July 2026), to pin its response shape.
        base_url: another API root (default
            ``https://generativelanguage.googleapis.com/v1beta``).
    """

    name = "google"
    display_name = "Google Gemini API (Veo, Gemini Omni)"
    api_key_env = GEMINI_KEY_ENV
    default_base_url = "https://generativelanguage.googleapis.com/v1beta"
    catalog_section = "gemini"
    secret_headers: ClassVar[frozenset[str]] = frozenset({"x-goog-api-key", "authorization"})
    docs_url = "https://ai.google.dev/gemini-api/docs/video"
    #: "Generated videos are stored on the server for 2 days" (Google's Veo guide).
    output_retention: ClassVar[dt.timedelta | None] = dt.timedelta(days=2)

    def __init__(self, *, api_revision: str | None = None, **settings: Any) -> None:
        super().__init__(**settings)
        if api_revision is not None and (
            not isinstance(api_revision, str) or not _REVISION.match(api_revision)
        ):
            raise ConfigError(
                f"google: api_revision must look like '2026-05-20', not {api_revision!r}"
            )
        self.api_revision = api_revision

    # -- credentials -----------------------------------------------------------------------

    @property
    def has_key(self) -> bool:
        """True with a key given, or in ``$GEMINI_API_KEY`` or ``$GOOGLE_API_KEY``."""
        if super().has_key:
            return True
        return self.key_env == GEMINI_KEY_ENV and bool(os.environ.get(GOOGLE_KEY_ENV, "").strip())

    def secret(self) -> Secret:
        """The key: given, else ``$GEMINI_API_KEY``, else ``$GOOGLE_API_KEY``.

        Raises:
            ConfigError: no key anywhere (names both variables).
        """
        if self._api_key is None and self.key_env == GEMINI_KEY_ENV:
            value = (
                os.environ.get(GEMINI_KEY_ENV, "").strip()
                or os.environ.get(GOOGLE_KEY_ENV, "").strip()
            )
            if not value:
                raise ConfigError(
                    f"no API key for google: set {GEMINI_KEY_ENV} (or {GOOGLE_KEY_ENV}) to a "
                    "Gemini API key from https://aistudio.google.com/apikey, or set "
                    "api_key_env in the profile to the variable that holds it"
                )
            self._api_key = Secret(value)
        return super().secret()

    def auth_headers(self) -> dict[str, str]:
        """The key as ``x-goog-api-key`` (a header, so it never lands in a URL or a log)."""
        return {"x-goog-api-key": self.secret().reveal()}

    def auth_hint(self) -> str:
        """How to fix a refused key."""
        also = f" (or {GOOGLE_KEY_ENV})" if self.key_env == GEMINI_KEY_ENV else ""
        return (
            f"Check the key in {self.key_env or 'api_key'}{also}; Gemini API keys come from "
            "https://aistudio.google.com/apikey"
        )

    def _interaction(self, job: Job, action: str = "") -> str:
        """``interactions/{id}`` (plus ``/action``), the id escaped as one segment.

        Raises:
            UnsupportedRequest: the id is empty, ``.`` or ``..``.
        """
        if job.id.strip() in ("", ".", ".."):
            raise UnsupportedRequest(
                f"google: {job.id!r} is not an interaction id",
                param="job",
                value=job.id,
                provider=self.name,
            )
        return self.url(f"interactions/{segment(job.id)}" + (f"/{action}" if action else ""))

    def _interaction_headers(self) -> dict[str, str]:
        extra = {"Api-Revision": self.api_revision} if self.api_revision else {}
        return self.headers(**extra)

    # -- requests --------------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST models/{model}:predictLongRunning`` (Veo) or ``POST interactions`` (Omni)."""
        if self.api_of(fitted.spec) == "interactions":
            return httpx.Request(
                "POST",
                self.url("interactions"),
                headers=self._interaction_headers(),
                json=self.interaction_body(fitted),
            )
        return httpx.Request(
            "POST",
            self.url(f"models/{segment(fitted.model)}:predictLongRunning"),
            headers=self.headers(),
            json=self.predict_body(fitted),
        )

    def build_status(self, job: Job) -> httpx.Request:
        """``GET {operation name}`` (Veo) or ``GET interactions/{id}`` (Omni)."""
        if is_operation(job.id):
            path = operation_path(job.id, provider=self.name)
            return httpx.Request("GET", self.url(path), headers=self.headers())
        return httpx.Request("GET", self._interaction(job), headers=self._interaction_headers())

    def build_cancel(self, job: Job) -> httpx.Request:
        """``POST interactions/{id}/cancel`` (Omni). Veo operations have no cancel here.

        Raises:
            UnsupportedRequest: the job is a Veo operation.
        """
        if is_operation(job.id):
            raise UnsupportedRequest(
                "google cannot cancel a Veo job: the Gemini API documents no cancel for its "
                "video operations; the job runs to the end (and is billed if it succeeds)",
                param="operation",
                value="cancel",
                provider=self.name,
            )
        return httpx.Request(
            "POST", self._interaction(job, "cancel"), headers=self._interaction_headers()
        )

    def build_delete(self, job: Job) -> httpx.Request:
        """``DELETE interactions/{id}`` (Omni: removes the stored interaction).

        Raises:
            UnsupportedRequest: the job is a Veo operation.
        """
        if is_operation(job.id):
            return super().build_delete(job)
        return httpx.Request("DELETE", self._interaction(job), headers=self._interaction_headers())

    # -- responses -------------------------------------------------------------------------

    def _job(self, response: httpx.Response) -> Job:
        self.raise_for_error(response)
        body = read_body(response, self.name)
        if isinstance(body, Mapping) and "name" in body and "id" not in body:
            return self.operation_job(body, response)
        return self.interaction_job(body, response)

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created operation (Veo) or background interaction (Omni)."""
        return self._job(response)

    def parse_status(self, response: httpx.Response) -> Job:
        """The operation's or interaction's current state."""
        return self._job(response)

    def parse_cancel(self, response: httpx.Response, job: Job) -> Job | None:
        """The interaction after the cancel, when the answer describes it."""
        self.raise_for_error(response)
        try:
            return self._job(response)
        except VidgenError:
            return None  # an answer that does not describe the job: vidgen reads its status

    def inline_refusal(self, job: Job, index: int) -> str:
        """Why an inline output cannot be downloaded yet, and the way around."""
        return (
            super().inline_refusal(job, index)
            + ". For Gemini Omni, ask for the video by URI: the model's catalog wire.delivery "
            "= 'uri' (the default) does that"
        )


class GoogleVertexProvider(GoogleVideoProvider):
    """Veo on Vertex AI (Gemini Enterprise Agent Platform).

    Settings:
        project: the Google Cloud project (default ``$GOOGLE_CLOUD_PROJECT``, else the
            application-default credentials' project).
        location: the region (default ``$GOOGLE_CLOUD_LOCATION``, else ``us-central1``;
            ``global`` uses ``aiplatform.googleapis.com``).
        token_provider: a callable returning an OAuth 2 access token, sent as a bearer
            token. Without one, vidgen uses application-default credentials through
            ``google-auth`` (``pip install 'vidgen[google]'``).
        storage_uri: a ``gs://bucket/prefix/`` for Veo to write the videos to; without it
            Google returns them inline.
        base_url: another API root (a Private Service Connect endpoint).
    """

    name = "google-vertex"
    display_name = "Google Vertex AI (Veo)"
    api_key_env: ClassVar[str | None] = None
    catalog_section = "vertex"
    apis: ClassVar[tuple[str, ...]] = ("predict",)
    secret_headers: ClassVar[frozenset[str]] = frozenset({"authorization", "x-goog-api-key"})
    docs_url = "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/video/generate-videos"

    def __init__(
        self,
        *,
        project: str | None = None,
        location: str | None = None,
        token_provider: Callable[[], str] | None = None,
        storage_uri: str | None = None,
        base_url: str | None = None,
        **settings: Any,
    ) -> None:
        if token_provider is not None and not callable(token_provider):
            raise ConfigError(
                "google-vertex: token_provider must be a callable that returns a token"
            )
        location = location or os.environ.get(LOCATION_ENV, "").strip() or "us-central1"
        if not isinstance(location, str) or not _LOCATION.match(location) or len(location) > 40:
            raise ConfigError(
                f"google-vertex: location {location!r} is not a Google Cloud region, "
                "e.g. 'us-central1' (or 'global')"
            )
        project = project or os.environ.get(PROJECT_ENV, "").strip() or None
        if project is not None and (not isinstance(project, str) or not _PROJECT.match(project)):
            raise ConfigError(
                f"google-vertex: project {project!r} is not a Google Cloud project id"
            )
        if storage_uri is not None and (
            not isinstance(storage_uri, str) or not _BUCKET_URI.match(storage_uri)
        ):
            raise ConfigError(
                "google-vertex: storage_uri must be a Cloud Storage URI like "
                f"'gs://my-bucket/videos/', not {storage_uri!r}"
            )
        self._custom_base = base_url is not None
        super().__init__(base_url=base_url or self._host(location), **settings)
        self.project = project
        self.location = location
        self.token_provider = token_provider
        self.storage_uri = storage_uri
        self._credentials: Any = None

    def __repr__(self) -> str:
        auth = "token provider" if self.token_provider else "application-default credentials"
        return (
            f"<GoogleVertexProvider project={self.project!r} location={self.location!r} "
            f"auth={auth}>"
        )

    @staticmethod
    def _host(location: str) -> str:
        if location == "global":
            return "https://aiplatform.googleapis.com/v1"
        return f"https://{location}-aiplatform.googleapis.com/v1"

    # -- credentials -----------------------------------------------------------------------

    @property
    def has_key(self) -> bool:
        """True with a token provider, or with ``google-auth`` installed (for ADC)."""
        if self.token_provider is not None:
            return True
        try:
            return importlib.util.find_spec("google.auth") is not None
        except (ImportError, ValueError):
            return False

    def prepare(self) -> None:
        """Find application-default credentials (and their project) before the first
        request, when no token provider was given."""
        if self.token_provider is None:
            self._adc()

    def _adc(self) -> Any:
        """Application-default credentials, loaded once through ``google-auth`` (an
        optional extra, imported only here)."""
        if self._credentials is None:
            try:
                auth = importlib.import_module("google.auth")
                errors = importlib.import_module("google.auth.exceptions")
            except ImportError as exc:
                raise ConfigError(
                    "google-vertex needs credentials: pass token_provider= (a callable "
                    "returning an access token), or install the google extra "
                    "(pip install 'vidgen[google]') and run "
                    "`gcloud auth application-default login`"
                ) from exc
            try:
                credentials, project = auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
            except errors.DefaultCredentialsError as exc:
                raise ConfigError(
                    "google-vertex found no application-default credentials: run "
                    "`gcloud auth application-default login`, set "
                    "GOOGLE_APPLICATION_CREDENTIALS, or pass token_provider="
                ) from exc
            self._credentials = credentials
            if self.project is None and isinstance(project, str) and _PROJECT.match(project):
                self.project = project
        return self._credentials

    def _token(self) -> Secret:
        if self.token_provider is not None:
            token = self.token_provider()
            if not isinstance(token, str) or not token.strip():
                raise ConfigError("google-vertex: token_provider returned no token")
            return Secret(token)
        credentials = self._adc()
        if not credentials.valid:
            try:
                errors = importlib.import_module("google.auth.exceptions")
                transport = importlib.import_module("google.auth.transport.requests")
            except ImportError as exc:
                raise ConfigError(
                    "google-vertex: refreshing application-default credentials needs "
                    "google-auth with requests (pip install 'vidgen[google]')"
                ) from exc
            try:
                credentials.refresh(transport.Request())
            except errors.RefreshError as exc:
                raise AuthenticationError(
                    f"google-vertex could not refresh its credentials: {exc}",
                    provider=self.name,
                    hint=self.auth_hint(),
                ) from exc
        return Secret(str(credentials.token))

    def auth_headers(self) -> dict[str, str]:
        """A bearer token from the token provider or application-default credentials."""
        return {"Authorization": f"Bearer {self._token().reveal()}"}

    def auth_hint(self) -> str:
        """How to fix refused credentials."""
        return (
            "Check the token provider or the application-default credentials "
            "(`gcloud auth application-default login`); the identity needs the Vertex AI "
            f"User role (roles/aiplatform.user) on project {self.project or '(unset)'}"
        )

    def _project(self) -> str:
        if self.project is None and self.token_provider is None:
            self._adc()
        if self.project is None:
            raise ConfigError(
                f"google-vertex needs a project: set {PROJECT_ENV}, or project= in the profile"
            )
        return self.project

    # -- requests --------------------------------------------------------------------------

    def extra_parameters(self) -> dict[str, Any]:
        """``storageUri``, when the videos go to your bucket."""
        return {"storageUri": self.storage_uri} if self.storage_uri else {}

    @staticmethod
    def _model_path(project: str, location: str, model: str, publisher: str = "google") -> str:
        return (
            f"projects/{segment(project)}/locations/{segment(location)}/publishers/"
            f"{segment(publisher)}/models/{segment(model)}"
        )

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST projects/{p}/locations/{l}/publishers/google/models/{m}:predictLongRunning``."""
        self.api_of(fitted.spec)
        headers = self.headers()
        path = self._model_path(self._project(), self.location, fitted.model)
        return httpx.Request(
            "POST",
            self.url(f"{path}:predictLongRunning"),
            headers=headers,
            json=self.predict_body(fitted),
        )

    def build_status(self, job: Job) -> httpx.Request:
        """``POST .../models/{m}:fetchPredictOperation`` with the operation's full name.

        The path comes from the operation name itself, so a job is read in the region
        that runs it.

        Raises:
            UnsupportedRequest: the job id is not a Vertex AI operation name.
        """
        operation_path(job.id, provider=self.name)  # refuses a malformed name
        match = _VERTEX_OPERATION.match(job.id)
        if match is None:
            raise UnsupportedRequest(
                f"google-vertex: {job.id[:200]!r} is not a Vertex AI operation name "
                "(projects/.../locations/.../publishers/google/models/.../operations/...)",
                param="job",
                value=job.id[:200],
                provider=self.name,
            )
        project, location, publisher, model, _ = match.groups()
        base = self.base_url
        if not self._custom_base and _LOCATION.match(location):
            base = self._host(location)
        path = self._model_path(project, location, model, publisher)
        return httpx.Request(
            "POST",
            f"{base}/{path}:fetchPredictOperation",
            headers=self.headers(),
            json={"operationName": job.id},
        )

    # -- responses -------------------------------------------------------------------------

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created operation."""
        return self._operation(response)

    def parse_status(self, response: httpx.Response) -> Job:
        """The operation's current state."""
        return self._operation(response)

    def _operation(self, response: httpx.Response) -> Job:
        self.raise_for_error(response)
        return self.operation_job(read_body(response, self.name), response)

    def inline_refusal(self, job: Job, index: int) -> str:
        """Why an inline Veo output cannot be downloaded yet, and the way around."""
        return (
            super().inline_refusal(job, index)
            + ". Set storage_uri (a gs:// bucket) so that Veo writes the videos there"
        )
