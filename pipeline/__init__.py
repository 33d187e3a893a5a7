"""CSR North-West project catalogue pipeline."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "csr-nw-pipeline"
"""The name pip installs this project under (pyproject.toml's `[project] name`)."""


def _version() -> str:
    """The installed version, so `--version` matches what pip reports."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _checkout_version()


def _checkout_version() -> str:
    """pyproject.toml's version, for a checkout run without installing; 'unknown' when even that is missing."""
    try:
        with (Path(__file__).resolve().parent.parent / "pyproject.toml").open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return "unknown"


__version__ = _version()
