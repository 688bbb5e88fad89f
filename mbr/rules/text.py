"""Text rules MBR101-MBR119, registered in the rule catalogue on import.

They live in three modules by theme; importing this one registers them all.
Text rules look at the summary; the headline gets MBR110, MBR118 and MBR119
(and custom rules). Each rule is independent of the others and returns
findings; the engine (mbr.rules.engine) turns them into diagnostics.
"""

from __future__ import annotations

from mbr.rules import text_content, text_shape, text_wording

__all__ = ["text_content", "text_shape", "text_wording"]
