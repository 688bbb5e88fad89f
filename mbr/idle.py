"""Modules a command will need later, imported where the main thread would otherwise wait.

`mbr compile` needs Jinja2, lxml and python-docx (~0.2 s of imports) only
once the sources are read and checked, and reading a large source has the
main thread wait: for calamine's parse of a workbook (in a thread), for
the second process's part of a large CSV file. A command lists the modules
it will need (import_later); the reader imports them just before it waits
(import_pending). Imported in the main thread, not in one of their own:
two threads importing at once can meet modules that import each other.
Where nothing is waited for, they are imported a little earlier than they
would have been, at the same cost.
"""

from __future__ import annotations

import importlib
import sys

_pending: list[str] = []


def import_later(*modules: str) -> None:
    """Have import_pending import `modules`, in this order (those not imported yet)."""
    for name in modules:
        if name not in sys.modules and name not in _pending:
            _pending.append(name)


def import_pending() -> None:
    """Import what import_later listed, if not done yet."""
    while _pending:
        name = _pending.pop(0)
        try:
            importlib.import_module(name)
        except Exception:
            # Imported again where it is needed, which reports the failure
            # the way it always has.
            continue
