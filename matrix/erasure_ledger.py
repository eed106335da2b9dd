"""The erasure ledger: every erasure, recorded outside the database (DPA 2018 s.39; docs/backup-and-restore.md).

Restoring a backup taken before an erasure brings the erased person back. ``manage.py replay_erasures`` reads
this ledger after a restore and erases them again, so the ledger must survive what the database does not and
must never be restored with it: it is an append-only file of JSON lines (``GOVMATRIX_ERASURE_LEDGER``), one
line per erasure, appended and fsynced once the erasure has committed.

A line is pseudonymous: the subject's uuid and reference, when the record was created and erased, and the
sequence and hash of the erasure's access-log entry (in the log as it was then: a restore may have lost that
entry). Never a name or any other personal data.
"""

import fcntl
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID

from django.conf import settings

LINE_FIELDS = ("subject_uuid", "reference", "created_at", "erased_at", "access_event_sequence", "access_event_hash")


class LedgerError(Exception):
    """The ledger cannot be read or written; the message says what to do."""


@dataclass(frozen=True)
class LedgerEntry:
    subject_uuid: UUID
    reference: str
    created_at: datetime
    erased_at: datetime
    access_event_sequence: int | None  # None only for a line rebuilt from a tombstone whose entry is gone
    access_event_hash: str

    @classmethod
    def of(cls, subject, sequence: int | None, entry_hash: str | None) -> "LedgerEntry":
        """The line for an erased ``subject`` whose erasure is the access-log entry ``sequence``."""
        return cls(subject.uuid, subject.reference, subject.created_at, subject.erased_at, sequence, entry_hash or "")

    def to_line(self) -> bytes:
        values = {
            "subject_uuid": str(self.subject_uuid),
            "reference": self.reference,
            "created_at": self.created_at.isoformat(),
            "erased_at": self.erased_at.isoformat(),
            "access_event_sequence": self.access_event_sequence,
            "access_event_hash": self.access_event_hash,
        }
        return (json.dumps(values, sort_keys=True) + "\n").encode()

    @classmethod
    def from_line(cls, line: bytes) -> "LedgerEntry":
        values = json.loads(line)
        if not isinstance(values, dict) or set(values) != set(LINE_FIELDS):
            raise ValueError(f"expected the fields {', '.join(LINE_FIELDS)}")
        created_at, erased_at = (
            datetime.fromisoformat(values["created_at"]),
            datetime.fromisoformat(values["erased_at"]),
        )
        if created_at.tzinfo is None or erased_at.tzinfo is None:
            raise ValueError("its times must carry their UTC offset")
        sequence = values["access_event_sequence"]
        if sequence is not None and not isinstance(sequence, int):
            raise ValueError("access_event_sequence must be a whole number")
        return cls(
            subject_uuid=UUID(values["subject_uuid"]),
            reference=str(values["reference"]),
            created_at=created_at,
            erased_at=erased_at,
            access_event_sequence=sequence,
            access_event_hash=str(values["access_event_hash"]),
        )


def configured_path() -> Path:
    return Path(settings.GOVMATRIX_ERASURE_LEDGER)


def _fsync_folder(path: Path) -> None:
    """A new file's name is durable only once its folder is synced too."""
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def require_writable(path: Path) -> None:
    """Refuse before anything is written when the ledger could not record it (creating the file if need be)."""
    try:
        created = not path.exists()
        with open(path, "ab"):
            pass
        if created:
            _fsync_folder(path)
    except OSError as exc:
        raise LedgerError(
            f"The erasure ledger {path} cannot be written ({exc.strerror}); nothing was changed. An erasure it does "
            "not record would be undone by restoring a backup. Fix GOVMATRIX_ERASURE_LEDGER or the folder's "
            "permissions and run again."
        ) from exc


def append(entries, path: Path) -> None:
    """Append whole lines under an exclusive lock (readers and other writers never see half a line), fsynced."""
    data = b"".join(entry.to_line() for entry in entries)
    if not data:
        return
    try:
        created = not path.exists()
        with open(path, "ab") as ledger:
            fcntl.flock(ledger, fcntl.LOCK_EX)
            ledger.write(data)
            ledger.flush()
            os.fsync(ledger.fileno())
        if created:
            _fsync_folder(path)
    except OSError as exc:
        references = ", ".join(entry.reference for entry in entries)
        raise LedgerError(
            f"Erased {references}, but the erasure ledger {path} could not record it ({exc.strerror}). Until it "
            "does, restoring a backup would bring the record back: fix the ledger, then run "
            "`manage.py replay_erasures --export-missing`."
        ) from exc


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as ledger:
            fcntl.flock(ledger, fcntl.LOCK_SH)
            return ledger.read()
    except FileNotFoundError as exc:
        raise LedgerError(
            f"There is no erasure ledger at {path}. If it was lost, bring back its newest copy (docs/backup-and-"
            "restore.md). `manage.py replay_erasures --export-missing` creates it from the erasures this database "
            "holds, but a restored database knows nothing of the erasures made after its backup."
        ) from exc
    except OSError as exc:
        raise LedgerError(f"The erasure ledger {path} cannot be read ({exc.strerror}).") from exc


def _parse(data: bytes, path: Path) -> list[LedgerEntry]:
    entries = []
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            if not line.endswith(b"\n"):
                raise ValueError("the line is incomplete (a write was cut short)")
            entries.append(LedgerEntry.from_line(line))
        except (ValueError, TypeError, KeyError) as exc:
            raise LedgerError(f"{path}, line {number}, is not a ledger entry: {exc}. Nothing was done.") from exc
    return entries


def read(path: Path) -> list[LedgerEntry]:
    """Every entry, oldest first; a subject erased again after a restore is listed once per erasure."""
    return _parse(_read_bytes(path), path)


def copy(path: Path, destination: Path) -> int:
    """Copy the ledger (checked line by line) to ``destination`` atomically and durably; the number of entries."""
    data = _read_bytes(path)
    count = len(_parse(data, path))
    partial = destination.with_name(f".{destination.name}.partial")
    # Readable by its owner only, like the backup it belongs to.
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as copied:
        copied.write(data)
        copied.flush()
        os.fsync(copied.fileno())
    os.replace(partial, destination)
    _fsync_folder(destination)
    return count
