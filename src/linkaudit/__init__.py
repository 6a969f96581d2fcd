"""linkaudit: audit the web references cited in (bilingual) documents."""

# The one place the version is written (pyproject.toml reads it from here): asking the installed metadata for it
# cost every start, and every worker process, about 60 ms.
__version__ = "0.1.0"

__all__ = ["__version__"]
