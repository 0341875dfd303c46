"""vidgen: one video-generation request, any provider.

Write one `VideoRequest`; fit and price it on any provider before spending anything;
submit, wait for and download it through `Client` or `AsyncClient`. Every provider's
statuses, errors and prices come back in one schema.
"""

from ._catalog import Catalog, Lifecycle, ModelSpec, Price, SizeSpec
from ._client import AsyncClient, Client
from ._compare import compare
from ._config import Config, Profile, load_config
from ._exceptions import (
    AuthenticationError,
    BudgetExceeded,
    CallbackRejected,
    ConfigError,
    ContentExpired,
    ContentPolicyViolation,
    InsufficientCredits,
    InvalidRequest,
    JobFailed,
    ModelRetired,
    NotFound,
    PermissionDenied,
    PluginError,
    ProtocolError,
    ProviderError,
    RateLimited,
    ServerError,
    TransportError,
    UnsupportedRequest,
    UpstreamError,
    VidgenError,
    WaitTimeout,
)
from ._ledger import Ledger, LedgerEntry
from ._models import (
    Adjustment,
    Fitted,
    Job,
    JobError,
    JobStatus,
    Offer,
    Output,
    Quote,
    VideoRequest,
)
from ._policies import PollPolicy, RetryPolicy
from ._reference import Reference
from ._version import __version__
from .plugins import get_provider

__all__ = [
    "Adjustment",
    "AsyncClient",
    "AuthenticationError",
    "BudgetExceeded",
    "CallbackRejected",
    "Catalog",
    "Client",
    "Config",
    "ConfigError",
    "ContentExpired",
    "ContentPolicyViolation",
    "Fitted",
    "InsufficientCredits",
    "InvalidRequest",
    "Job",
    "JobError",
    "JobFailed",
    "JobStatus",
    "Ledger",
    "LedgerEntry",
    "Lifecycle",
    "ModelRetired",
    "ModelSpec",
    "NotFound",
    "Offer",
    "Output",
    "PermissionDenied",
    "PluginError",
    "PollPolicy",
    "Price",
    "Profile",
    "ProtocolError",
    "ProviderError",
    "Quote",
    "RateLimited",
    "Reference",
    "RetryPolicy",
    "ServerError",
    "SizeSpec",
    "TransportError",
    "UnsupportedRequest",
    "UpstreamError",
    "VideoRequest",
    "VidgenError",
    "WaitTimeout",
    "__version__",
    "compare",
    "get_provider",
    "load_config",
]
