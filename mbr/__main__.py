"""`python -m mbr` runs the command line."""

from mbr.cli import main

main()
