"""Public classes live in private modules but report the public one as their home.

``vidgen.Job.__module__`` is ``"vidgen"``, as ``httpx.Client.__module__`` is ``"httpx"``:
tracebacks, ``help()``, documentation and pickles name the import users write.
"""

from __future__ import annotations

from typing import TypeVar

import attrs

__all__ = ["public"]

T = TypeVar("T", bound=type)


def public(cls: T) -> T:
    """Mark a class defined in a private module as part of ``vidgen``'s public surface.

    An attrs class has its annotations resolved first, in the module that defines it:
    ``typing.get_type_hints`` (and so cattrs) would otherwise look for the names in
    ``vidgen``'s namespace, where most load on first use.
    """
    if attrs.has(cls):
        attrs.resolve_types(cls)
    cls.__module__ = "vidgen"
    return cls
