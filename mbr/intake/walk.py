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
    # Links with a supported name whose target is gone: (display path, target).
    dangling: list[tuple[str, str]] = field(default_factory=list)
    is_directory: bool = False


def check_sources_exist(sources: list[str]) -> None:
    """Raise UsageError for the first SOURCE that does not exist (before reading any)."""
    for source in sources:
        if os.path.islink(source) and not os.path.exists(source):
            raise UsageError(
                f"source not found: {source} is a symbolic link to "
                f"{_link_target(source)}, which does not exist",
                hint="restore the file it points at, or pass the file itself",
            )
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
    walk.dangling.sort()
    return walk


def _link_target(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "a missing file"


def _walk(
    source: str,
    below: tuple[str, ...],
    found: list[tuple[str, ...]],
    walk: Walk,
    seen: set[tuple[int, int]],
) -> None:
    # Depth first with a stack of its own, not recursion: a tree a thousand
    # directories deep must not exhaust Python's stack. Children are pushed
    # in reverse so they are visited in sorted order, each subtree before
    # the next sibling, so that of two links to one directory the first in
    # order is the one read.
    pending = [below]
    while pending:
        below = pending.pop()
        directory = os.path.join(source, *below)
        try:
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in seen:
                continue  # a link back up the tree, or a second link to the same directory
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(directory) as entries:
                listed = [
                    (entry.name, entry.is_dir(), entry.is_file(), entry.is_symlink())
                    for entry in entries
                ]
        except OSError as error:
            walk.unlisted.append((directory, error.strerror or str(error)))
            continue
        subdirectories: list[tuple[str, ...]] = []
        for name, is_dir, is_file, is_link in sorted(listed):
            if _skipped(name):
                continue
            if is_dir:
                subdirectories.append((*below, name))
            elif is_file and is_supported(name):
                found.append((*below, name))
            elif is_link and not is_file and is_supported(name):
                # A file someone meant to be read; skipping a broken link
                # silently would drop its entries from the report unnoticed.
                link = os.path.join(directory, name)
                if not os.path.exists(link):
                    walk.dangling.append((link, _link_target(link)))
        pending.extend(reversed(subdirectories))


def _skipped(name: str) -> bool:
    return name.startswith((".", "~$")) or name.endswith("~")


def is_supported(name: str) -> bool:
    return name.lower().endswith(SUPPORTED_SUFFIXES)
