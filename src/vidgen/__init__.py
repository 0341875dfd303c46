"""vidgen: one video-generation request, any provider.

Write one `VideoRequest`; fit and price it on any provider before spending anything;
submit, wait for and download it through `Client` or `AsyncClient`. Every provider's
statuses, errors and prices come back in one schema.
"""

import importlib as _importlib
import typing as _typing

from ._exceptions import (
    AuthenticationError,
    BudgetExceeded,
    CallbackRejected,
    ConfigError,
    ContentExpired,
    ContentPolicyViolation,
    DeliveryMismatch,
    InsufficientCredits,
    InvalidInput,
    InvalidInputType,
    InvalidRequest,
    JobFailed,
    JobInUse,
    LedgerError,
    ModelRetired,
    NotFound,
    PermissionDenied,
    PluginError,
    ProtocolError,
    ProviderError,
    RateLimited,
    ServerError,
    StorageError,
    TransportError,
    UnsupportedRequest,
    UpstreamError,
    VidgenError,
    WaitTimeout,
    WebhookRejected,
)
from ._models import Job, JobError, JobStatus, Output, Usage
from ._policies import PollPolicy, RetryPolicy
from ._version import __version__
from .plugins import get_provider

if _typing.TYPE_CHECKING:
    from ._batch import BatchLine, BatchProgress, BatchResult
    from ._budget import Budget
    from ._catalog import Catalog, Lifecycle, ModelSpec, Price, SizeSpec
    from ._client import AsyncClient, Client
    from ._compare import StoryboardOffer, compare, compare_storyboard
    from ._config import Config, Profile, load_config
    from ._film import Film, RenderProgress, ShotResult
    from ._ledger import Ledger, LedgerEntry, SubmitState
    from ._plan import Attempt, Plan, Refusal
    from ._reference import Reference
    from ._request import Adjustment, Fitted, Offer, Quote, VideoRequest
    from ._storyboard import Shot, Storyboard

# Loaded on first use, so that `import vidgen` and plugin discovery stay cheap: providers
# need the values and errors, not the client, the ledger, the config reader or the catalog
# machinery (loaded when a catalog is first read).
_LAZY = {
    "Adjustment": "._request",
    "BatchLine": "._batch",
    "BatchProgress": "._batch",
    "BatchResult": "._batch",
    "Attempt": "._plan",
    "Film": "._film",
    "RenderProgress": "._film",
    "Shot": "._storyboard",
    "ShotResult": "._film",
    "Storyboard": "._storyboard",
    "Budget": "._budget",
    "Plan": "._plan",
    "Refusal": "._plan",
    "SubmitState": "._ledger",
    "Fitted": "._request",
    "Offer": "._request",
    "Quote": "._request",
    "Reference": "._reference",
    "VideoRequest": "._request",
    "AsyncClient": "._client",
    "Catalog": "._catalog",
    "Lifecycle": "._catalog",
    "ModelSpec": "._catalog",
    "Price": "._catalog",
    "SizeSpec": "._catalog",
    "Client": "._client",
    "Config": "._config",
    "Ledger": "._ledger",
    "LedgerEntry": "._ledger",
    "Profile": "._config",
    "compare": "._compare",
    "compare_storyboard": "._compare",
    "StoryboardOffer": "._compare",
    "load_config": "._config",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vidgen' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Adjustment",
    "AsyncClient",
    "Attempt",
    "AuthenticationError",
    "BatchLine",
    "BatchProgress",
    "BatchResult",
    "Budget",
    "BudgetExceeded",
    "CallbackRejected",
    "Catalog",
    "Client",
    "Config",
    "ConfigError",
    "ContentExpired",
    "ContentPolicyViolation",
    "DeliveryMismatch",
    "Film",
    "Fitted",
    "InsufficientCredits",
    "InvalidInput",
    "InvalidInputType",
    "InvalidRequest",
    "Job",
    "JobError",
    "JobFailed",
    "JobInUse",
    "JobStatus",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "Lifecycle",
    "ModelRetired",
    "ModelSpec",
    "NotFound",
    "Offer",
    "Output",
    "PermissionDenied",
    "Plan",
    "PluginError",
    "PollPolicy",
    "Price",
    "Profile",
    "ProtocolError",
    "ProviderError",
    "Quote",
    "RateLimited",
    "Reference",
    "Refusal",
    "RenderProgress",
    "RetryPolicy",
    "ServerError",
    "Shot",
    "ShotResult",
    "SizeSpec",
    "StorageError",
    "Storyboard",
    "StoryboardOffer",
    "SubmitState",
    "TransportError",
    "UnsupportedRequest",
    "UpstreamError",
    "Usage",
    "VideoRequest",
    "VidgenError",
    "WaitTimeout",
    "WebhookRejected",
    "__version__",
    "compare",
    "compare_storyboard",
    "get_provider",
    "load_config",
]
