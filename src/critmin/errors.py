"""Errors that name what went wrong and where (file, row, field, expected)."""

from __future__ import annotations


ECHO_LIMIT = 80
"""Characters of a bad value quoted in an error message (the rest is elided)."""


def echo(value, limit: int = ECHO_LIMIT) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for quoting bad input in a message.

    A long value (a 500 MB spreadsheet cell, a huge request field) is cut before
    ``repr`` is taken, so quoting it costs O(limit), not O(len(value)).
    """
    if isinstance(value, (str, bytes)) and len(value) > limit:
        return repr(value[:limit]) + f"... ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


MESSAGE_LIMIT = 600
"""Longest problem text of a :class:`DataFormatError`; longer ones keep their head and tail."""


def _cut(text: str, limit: int = MESSAGE_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 100] + f" ...[{len(text) - limit + 20:,} characters cut]... " + text[-80:]


class CritminError(Exception):
    """Base class of every error critmin raises on purpose."""


class ConfigError(CritminError):
    """Bad settings (missing mirror folder, unknown backend, ...)."""


class OptionError(ConfigError, ValueError):
    """A value outside one of critmin's option vocabularies (:mod:`critmin.vocabulary`).

    Also a ``ValueError``, as a bad argument value is to any Python caller.
    """


class DataFormatError(CritminError):
    """A raw or user file does not have the expected format.

    Parameters
    ----------
    file : str
        The file (or table) that is wrong.
    problem : str
        What is wrong and what was expected.
    row : int, optional
        1-based data row (header not counted) where the problem was found.
    field : str, optional
        Column or field name.
    """

    def __init__(self, file, problem: str, *, row: int | None = None, field: str | None = None):
        problem = _cut(str(problem))
        self.file, self.problem, self.row, self.field = str(file), problem, row, field
        where = self.file
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {problem}")


class UnknownCodeError(CritminError):
    """A country, HS or mineral code that critmin does not know."""

    def __init__(self, kind: str, code, *, where: str | None = None, hint: str | None = None):
        self.kind, self.code = kind, code
        msg = f"unknown {kind} {code!r}"
        if where:
            msg += f" in {where}"
        if hint:
            msg += f"; {hint}"
        super().__init__(msg)


class EmptySelectionError(CritminError):
    """A query selected no data (e.g. no flows for that reporter, product and year)."""


class DownloadError(CritminError):
    """A file could not be downloaded or failed its checksum."""


class WarehouseError(CritminError):
    """The warehouse is missing, incomplete or a table is absent."""
