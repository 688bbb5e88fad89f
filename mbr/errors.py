"""One exception hierarchy; the CLI maps every MbrError to exit code 2."""

from __future__ import annotations


class MbrError(Exception):
    """A problem the user can fix: bad option, bad config, missing source."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  = help: {self.hint}"
        return self.message


class ConfigError(MbrError):
    """The configuration file is invalid."""


class UsageError(MbrError):
    """A command-line value is invalid (bad period, missing path, ...)."""


class InputError(MbrError):
    """The input as a whole cannot be used (e.g. no source yields any entry)."""


class TemplateError(MbrError):
    """A report template cannot be loaded or rendered."""
