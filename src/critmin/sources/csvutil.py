"""Small readers shared by connectors: strict text decoding, CSV rows, workbook sheets.

Every failure becomes a :class:`~critmin.errors.DataFormatError` that names the
file and, where it can, the row and what was expected.
"""

from __future__ import annotations

import csv
import functools
import io
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

from critmin.errors import CritminError, DataFormatError

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")


def read_text(path: Path, *, encoding: str, reject_utf8: bool = False) -> str:
    """Decode a whole text file strictly.

    Parameters
    ----------
    path : Path
        The file.
    encoding : str
        The publisher's encoding (``cp1252``, ``utf-8``...).
    reject_utf8 : bool, keyword-only
        For single-byte encodings: refuse a file whose non-ASCII bytes form valid
        UTF-8 (a re-saved copy would otherwise decode silently into mojibake).

    Raises
    ------
    DataFormatError
        The file is empty or not in ``encoding`` (names the line of the first bad byte).
    """
    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise DataFormatError(path, "file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataFormatError(path, f"file is UTF-16 encoded; expected {encoding}")
    if reject_utf8 and any(b > 127 for b in data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise DataFormatError(
                path,
                f"file is UTF-8 encoded; expected the publisher's {encoding} "
                f"(was it re-saved? use the original download)",
            )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFormatError(
            path,
            f"byte 0x{data[exc.start]:02x} at line {line} is not valid {encoding}; expected a {encoding} text file",
        ) from None


def csv_rows(
    path: Path, text: str, *, required: list[str], delimiter: str = ","
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header and ``(data_row_number, fields)`` pairs of a CSV text.

    Every row must have as many fields as the header; a short last row or an
    unterminated quote is reported as a truncated file. ``required`` columns
    must all be in the header.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise DataFormatError(path, f"no readable header line ({exc})") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataFormatError(
            path, f"missing column(s) {', '.join(missing)}; expected {', '.join(required)}", field=missing[0]
        )

    def rows() -> Iterator[tuple[int, list[str]]]:
        n = 0
        try:
            for n, fields in enumerate(reader, start=1):
                if not fields:
                    continue
                if len(fields) != len(header):
                    names = ", ".join(header) if len(header) <= 12 else ", ".join(header[:6]) + ", ..."
                    raise DataFormatError(
                        path,
                        f"has {len(fields)} fields; expected {len(header)} "
                        f"({names}) separated by {delimiter!r}: truncated or "
                        f"malformed line",
                        row=n,
                    )
                yield n, fields
        except csv.Error as exc:
            raise DataFormatError(
                path, f"malformed CSV ({exc}): truncated file or unbalanced quote", row=n + 1
            ) from None

    return header, rows()


def read_text_frame(path: Path, required: list[str]) -> pd.DataFrame:
    """A CSV (plain or gzip) as text columns, with the ``required`` columns present and at least one row.

    Raises
    ------
    DataFormatError
        Unreadable or truncated file, a missing required column, no data rows.
    """
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, EOFError, OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(path, f"not a readable CSV ({type(exc).__name__}: {exc})") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataFormatError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(required)}")
    if df.empty:
        raise DataFormatError(path, "has a header but no data rows")
    return df


def open_workbook(path: Path):
    """Open an ``.xlsx`` read-only (fast, streaming) or fail with a clear error."""
    import openpyxl

    path = Path(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except WORKBOOK_ERRORS as exc:
        raise DataFormatError(
            path,
            f"is not a readable .xlsx workbook ({exc.__class__.__name__}: {exc}); "
            f"truncated or not the publisher's file",
        ) from None


def sheet(wb, path: Path, name: str):
    """A worksheet by name, or an error listing the sheets present."""
    if name not in wb.sheetnames:
        raise DataFormatError(
            path, f"sheet {name!r} is missing; sheets present: {', '.join(wb.sheetnames)}", field=name
        )
    return wb[name]


#: what openpyxl (and the XML parsers and zip reader under it) raise on a damaged workbook
WORKBOOK_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    NotImplementedError,  # zipfile: a damaged header names an unsupported compression method
    OverflowError,
    EOFError,
    OSError,
    UnicodeError,
    SyntaxError,  # xml.etree ParseError is a SyntaxError
    NotImplementedError,  # zipfile: a member with an unknown compression method
)
try:  # lxml, when openpyxl uses it
    from lxml.etree import LxmlError

    WORKBOOK_ERRORS += (LxmlError,)
except ImportError:  # pragma: no cover
    pass


def workbook_reader(read: Callable[..., T]) -> Callable[..., T]:
    """Decorate a ``read_*(path, ...)`` function that reads an ``.xlsx``: a damaged workbook
    (bad XML, cell references, values openpyxl cannot convert, a truncated zip part) ends in
    :class:`DataFormatError` naming the file, never in the library's own exception.

    openpyxl in read-only mode parses sheets lazily, while rows are iterated, so the whole
    reader is wrapped, not only the ``load_workbook`` call. Critmin errors pass unchanged.
    """

    @functools.wraps(read)
    def wrapper(path, *args, **kwargs):
        try:
            return read(path, *args, **kwargs)
        except CritminError:
            raise
        except WORKBOOK_ERRORS as exc:
            detail = " ".join(str(exc).split())[:160]
            raise DataFormatError(
                path, f"damaged workbook ({type(exc).__name__}: {detail}); expected the publisher's .xlsx as downloaded"
            ) from None

    return wrapper
