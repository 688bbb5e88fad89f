"""Text rules MBR101-MBR119 (to be written)."""
