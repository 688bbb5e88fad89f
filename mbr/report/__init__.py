"""The report: grouping/ordering model, rendering and writers."""
