"""A package whose ``vidgen`` entry point names a module it does not ship."""
