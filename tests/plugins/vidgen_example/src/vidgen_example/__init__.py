"""An example vidgen provider plugin: one provider, ``example``, with its own catalog."""

from .provider import ExampleProvider

__all__ = ["ExampleProvider"]
