"""Opening a workbook with openpyxl, its shared-string table read only if needed.

Excel, LibreOffice and Google Sheets keep a sheet's text in one shared-string
table (xl/sharedStrings.xml), and openpyxl's load_workbook turns all of it
into Python objects before it returns, read-only mode included: about 4 s
for a 100,000-row log saved by LibreOffice, more than python-calamine takes
to read the whole sheet. When calamine reads the rows (the usual case) mbr
needs openpyxl only for the sheet list, sheet states and number formats, so
the table is read when openpyxl itself must read rows.
"""

from __future__ import annotations

from typing import IO, Any

from openpyxl.reader.excel import ExcelReader


class _StringsOnDemand(ExcelReader):  # type: ignore[misc]  # openpyxl is untyped
    """openpyxl's package reader, with `read_strings` left for later.

    The read-only worksheets it makes hold a reference to the reader's
    `shared_strings` list and look strings up in it only as rows are read,
    so filling that same list later is all they need.
    """

    shared_strings: list[Any]

    def read_strings(self) -> None:
        """Deferred: see `load_strings`."""

    def load_strings(self) -> None:
        held = self.shared_strings
        ExcelReader.read_strings(self)  # assigns a new list to self.shared_strings
        held[:] = self.shared_strings
        self.shared_strings = held


class Workbook:
    """An openpyxl read-only workbook whose shared strings come on demand."""

    def __init__(self, buffer: IO[bytes]) -> None:
        self._reader = _StringsOnDemand(buffer, read_only=True, data_only=True, keep_links=False)
        self._reader.read()
        self.openpyxl: Any = self._reader.wb
        self._strings_loaded = False

    def load_strings(self) -> None:
        """Read the shared-string table, before openpyxl reads any row.

        Raises whatever openpyxl raises on a broken table.
        """
        if not self._strings_loaded:
            self._reader.load_strings()
            self._strings_loaded = True

    def close(self) -> None:
        self.openpyxl.close()
