"""Reading sources into records."""
