"""Authoring helpers: the intake spreadsheet, new YAML entries and starter projects."""
