"""linkaudit: audit the web references cited in (bilingual) documents."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("linkaudit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
