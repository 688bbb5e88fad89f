"""Reading sources into records.

`read_sources` takes SOURCE arguments (files or directories of .xlsx,
.xlsm, .csv, .yaml, .yml) and returns every record read, the diagnostics
about the sources themselves (MBR000, MBR008, MBR009, MBR010) and the files
opened. Asked for a period's rows only (`wanted_date`), it gives an
OutOfPeriod for each spreadsheet or CSV row dated outside it. One module per
format; each is imported only when needed.
"""

from mbr.intake.base import OutOfPeriod
from mbr.intake.sources import IntakeResult, read_sources

__all__ = ["IntakeResult", "OutOfPeriod", "read_sources"]
