"""The report format an output file name asks for.

Kept out of mbr.report, whose import brings Jinja2 and lxml: `mbr compile`
checks its -o before any source is read, and imports the report's modules
only while a source's reading waits (mbr.idle) or once it needs them.
"""

from __future__ import annotations

from pathlib import Path

from mbr.errors import UsageError

FORMATS = {".docx": "docx", ".html": "html", ".htm": "html"}

# The modules that write each format, for mbr.idle.
WRITERS = {"docx": "mbr.report.docx_writer", "html": "mbr.report.html_writer"}


def output_format_for(output: Path) -> str:
    """The report format for an output file: "docx" or "html"; UsageError otherwise."""
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"cannot tell the report format from {output}",
            hint="name the output file .docx (Word) or .html (a page for the browser)",
        )
    return FORMATS[suffix]
