"""CSR North-West project catalogue pipeline."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

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


__all__ = ["DISTRIBUTION", "__version__", "load_places", "load_projects"]

if TYPE_CHECKING:
    from .load import load_places, load_projects


def __getattr__(name: str) -> object:
    """`pipeline.load_projects` and `pipeline.load_places`, imported on first use so that
    `import pipeline` (and so the command line) does not pay for importing pandas."""
    if name in ("load_projects", "load_places"):
        from . import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
