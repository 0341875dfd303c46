"""The example packages are installed and tested from a temporary folder by
test_packaging.py; their own tests are not collected from the repository."""

collect_ignore = ["vidgen_example", "vidgen_broken"]
