"""The manifest written beside each report: what a run read, made and sent.

It is also how a run knows there is nothing to do: when the tool version,
the period and the hash of every file that shapes the report (config,
sources, template, reference .docx) equal those in the manifest, and the
report is still the file the manifest describes, the report is up to date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mbr.dates import Period
from mbr.errors import MbrError
from mbr.report.select import Accounting, Reason, Rejected

MANIFEST_FORMAT = 1

# Delivery states. PENDING is written before sending, so a run killed while
# sending leaves a manifest that makes the next run send again.
PENDING = "pending"
SENT = "sent"
FAILED = "failed"
NOT_CONFIGURED = "not-configured"


class ManifestUnreadable(MbrError):
    """A manifest exists but is not one this version can read (the run rebuilds)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def utc_timestamp(moment: dt.datetime | None = None) -> str:
    """`2026-11-01T07:00:03Z`: the form used in manifests and log lines."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def display_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when below it (so a moved checkout stays up to
    date), otherwise absolute; always with forward slashes."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


@dataclass(frozen=True)
class FileHash:
    """One file a run read or wrote."""

    role: str  # "config" | "source" | "template" | "reference_docx" | "report"
    path: str  # see display_path
    sha256: str
    size: int

    @classmethod
    def of(cls, role: str, path: Path, root: Path) -> FileHash:
        return cls(role, display_path(path, root), sha256_file(path), path.stat().st_size)

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "path": self.path, "sha256": self.sha256, "bytes": self.size}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileHash:
        return cls(str(data["role"]), str(data["path"]), str(data["sha256"]), int(data["bytes"]))


@dataclass(frozen=True)
class Fingerprint:
    """What the report depends on; equal fingerprints give the same report."""

    version: str
    period: str  # Period.slug
    inputs: tuple[FileHash, ...]

    def same_as(self, other: Fingerprint) -> bool:
        def key(f: Fingerprint) -> tuple[str, str, list[tuple[str, str, str]]]:
            return f.version, f.period, sorted((i.role, i.path, i.sha256) for i in f.inputs)

        return key(self) == key(other)


def rejected_from_dict(data: Mapping[str, Any]) -> Rejected:
    """The inverse of Rejected.as_dict (the shape `--rejects FILE` also uses)."""
    return Rejected(
        entry_id=str(data["entry_id"]),
        location=str(data["location"]),
        author=str(data["author"]),
        team=str(data["team"]),
        category=str(data["category"]),
        reasons=tuple(
            Reason(str(r["code"]), str(r["message"]), str(r["location"])) for r in data["reasons"]
        ),
    )


@dataclass(frozen=True)
class Delivery:
    """What became of mailing the report."""

    status: str  # PENDING | SENT | FAILED | NOT_CONFIGURED
    to: tuple[str, ...] = ()  # every recipient it is meant for
    delivered: tuple[str, ...] = ()  # those the server accepted it for
    at: str | None = None  # when it was sent or last tried
    error: str | None = None

    @property
    def pending(self) -> tuple[str, ...]:
        """Recipients still to be sent the report."""
        return tuple(r for r in self.to if r not in self.delivered)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "to": list(self.to),
            "delivered": list(self.delivered),
            "at": self.at,
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Delivery:
        return cls(
            str(data["status"]),
            tuple(str(t) for t in data["to"]),
            tuple(str(t) for t in data["delivered"]),
            data["at"],
            data["error"],
        )


@dataclass(frozen=True)
class Manifest:
    version: str
    period: Period
    started: str
    finished: str
    inputs: tuple[FileHash, ...]
    counts: Accounting
    excluded: tuple[Rejected, ...]
    output: FileHash
    delivery: Delivery

    @property
    def fingerprint(self) -> Fingerprint:
        return Fingerprint(self.version, self.period.slug, self.inputs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "tool": "mbr",
            "version": self.version,
            "period": {
                "slug": self.period.slug,
                "label": self.period.label,
                "kind": self.period.kind,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "started": self.started,
            "finished": self.finished,
            "inputs": [i.as_dict() for i in self.inputs],
            "counts": self.counts.as_dict(),
            "excluded": [e.as_dict() for e in self.excluded],
            "output": self.output.as_dict(),
            "delivery": self.delivery.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"manifest format {data.get('format')!r}, expected {MANIFEST_FORMAT}")
        period = data["period"]
        counts = data["counts"]
        return cls(
            version=str(data["version"]),
            period=Period(
                dt.date.fromisoformat(period["start"]),
                dt.date.fromisoformat(period["end"]),
                str(period["kind"]),
            ),
            started=str(data["started"]),
            finished=str(data["finished"]),
            inputs=tuple(FileHash.from_dict(i) for i in data["inputs"]),
            counts=Accounting(
                int(counts["read"]),
                int(counts["in_period"]),
                int(counts["included"]),
                int(counts["excluded"]),
            ),
            excluded=tuple(rejected_from_dict(e) for e in data["excluded"]),
            output=FileHash.from_dict(data["output"]),
            delivery=Delivery.from_dict(data["delivery"]),
        )

    def with_delivery(self, delivery: Delivery) -> Manifest:
        return replace(self, delivery=delivery)


def load_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`; None when there is none.

    Raises ManifestUnreadable when the file is there but cannot be used.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestUnreadable(f"{path}: cannot read the manifest: {exc}") from None
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return Manifest.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestUnreadable(f"{path}: not a manifest mbr can read ({exc})") from None


def manifest_json(manifest: Manifest) -> str:
    return json.dumps(manifest.as_dict(), indent=2, ensure_ascii=False) + "\n"


def hash_files(files: Iterable[tuple[str, Path]], root: Path) -> tuple[FileHash, ...]:
    """Hash each (role, path), skipping repeats of the same file."""
    seen: set[Path] = set()
    result: list[FileHash] = []
    for role, path in files:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        result.append(FileHash.of(role, path, root))
    return tuple(result)
