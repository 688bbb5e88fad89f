"""SOURCE arguments -> the files to read, each with the path to show for it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mbr.errors import UsageError
from mbr.intake.base import SUPPORTED_FORMATS, SUPPORTED_SUFFIXES


@dataclass
class Walk:
    """What a SOURCE holds: files to read, and directories that could not be listed."""

    files: list[tuple[Path, str]] = field(default_factory=list)  # (file, display path)
    unlisted: list[tuple[str, str]] = field(default_factory=list)  # (display path, reason)
    is_directory: bool = False


def check_sources_exist(sources: list[str]) -> None:
    """Raise UsageError for the first SOURCE that does not exist (before reading any)."""
    for source in sources:
        if not os.path.exists(source):
            raise UsageError(
                f"source not found: {source}",
                hint="check the path; a SOURCE is a file or a directory of " + SUPPORTED_FORMATS,
            )


def walk_source(source: str) -> Walk:
    """The file itself, or the supported files below a directory.

    A directory is walked recursively in sorted order (directory by
    directory, like a file manager's tree), following symbolic links but
    never into a directory twice. Hidden files and directories, Excel lock
    files (~$x.xlsx) and editor backups (.#x, x~) are skipped. The display
    path is the SOURCE as given joined with the path below it.
    """
    if not os.path.isdir(source):
        return Walk(files=[(Path(source), source)])
    walk = Walk(is_directory=True)
    found: list[tuple[str, ...]] = []
    _walk(source, (), found, walk, seen=set())
    walk.files = [(Path(source, *parts), os.path.join(source, *parts)) for parts in sorted(found)]
    walk.unlisted.sort()
    return walk


def _walk(
    source: str,
    below: tuple[str, ...],
    found: list[tuple[str, ...]],
    walk: Walk,
    seen: set[tuple[int, int]],
) -> None:
    directory = os.path.join(source, *below)
    try:
        info = os.stat(directory)
        if (info.st_dev, info.st_ino) in seen:
            return  # a link back up the tree, or a second link to the same directory
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(directory) as entries:
            listed = [(entry.name, entry.is_dir(), entry.is_file()) for entry in entries]
    except OSError as error:
        walk.unlisted.append((directory, error.strerror or str(error)))
        return
    # Sorted, so that of two links to one directory the first in order is the one read.
    for name, is_dir, is_file in sorted(listed):
        if _skipped(name):
            continue
        if is_dir:
            _walk(source, (*below, name), found, walk, seen)
        elif is_file and is_supported(name):
            found.append((*below, name))


def _skipped(name: str) -> bool:
    return name.startswith((".", "~$")) or name.endswith("~")


def is_supported(name: str) -> bool:
    return name.lower().endswith(SUPPORTED_SUFFIXES)
