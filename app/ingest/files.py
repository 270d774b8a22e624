"""The records of files and folders to ingest, streamed (JSON Lines a line at a time)."""

from collections.abc import Callable, Iterator
from pathlib import Path

from app.ingest.formats import Format, Record, jsonl_record, records, sniff


def files(paths: list[Path]) -> Iterator[Path]:
    """The files named, and those under the folders named (hidden ones aside), in order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
        else:
            yield path


def file_records(
    paths: list[Path], fmt: Format, unreadable: Callable[[Path, Exception], None]
) -> Iterator[tuple[str, Record]]:
    """Records of every file, each named `path:line`, streamed: JSON Lines files are read a
    line at a time. A file that cannot be read is handed to `unreadable`."""
    for path in files(paths):
        try:
            kind = fmt
            if kind is Format.auto:
                with path.open(encoding="utf-8", errors="replace") as handle:
                    kind = sniff(handle.read(4096), suffix=path.suffix)
            if kind is Format.jsonl:
                yield from ((f"{path}:{record.line}", record) for record in jsonl_file(path))
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            unreadable(path, error)
            continue
        yield from (
            (f"{path}:{record.line}", record) for record in records(text, kind, suffix=path.suffix)
        )


def jsonl_file(path: Path) -> Iterator[Record]:
    """The records of a JSON Lines file, a line at a time. A file's lines end at b"\\n" only
    (never inside a JSON string), and a line that is not UTF-8 is that line's problem."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.removesuffix(b"\n").decode("utf-8")
            except UnicodeDecodeError as error:
                yield Record(line=number, error=f"not valid UTF-8 (byte {error.start})")
                continue
            record = jsonl_record(number, line)
            if record is not None:
                yield record


def count_records(paths: list[Path]) -> int:
    """How many records the files hold (non-blank lines of JSON Lines, one per other file)."""
    total = 0
    for path in files(paths):
        if path.suffix.lower() in {".jsonl", ".ndjson"}:
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip(b" \t\r\n"))
        else:
            total += 1
    return total
