"""mbr: turn what people log during the month into the Monthly Business Review."""

from __future__ import annotations

__version__ = "0.1.0"
