"""`python -m mbr` runs the command line."""

from mbr.cli import main

if __name__ == "__main__":
    main()
