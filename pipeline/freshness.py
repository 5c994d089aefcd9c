"""Whether the output folder already holds what a run would write, so that a re-run on
unchanged inputs loads, extracts and writes nothing (the way make skips a target that is
up to date).

After a run publishes, it leaves a record in the cache folder (outputs/<hash of the
resolved --out>.json) of:

- the run's digest: each input's cache key (its sha256, name, format, the code and what its
  format reads: see cache_key.py) or the reason discovery refused it, in order; the options
  that shape the tables; every vocabulary's hash (the manifest lists them all);
- the stat of every file it wrote (size, mtime, ctime, inode): an output edited, replaced,
  added or removed since changes one of them;
- the verdicts and row counts, for the console: a line of JSON for the rest, then a line
  per verdict, so that neither writing nor reading the record holds them all.

A later run with the same digest whose output files all stat as recorded is up to date.
An input counts only when the stat index vouches for it without opening it (cache_key.py:
known_key); one it cannot vouch for, or an input whose verdict is not cached (a time
limit, a worker that died), makes the run a normal one. Nothing here imports pandas or
the readers.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.cache_key import Fingerprint, known_key, read_index, stamp_of
from pipeline.contract.vocabulary import vocabulary_hashes
from pipeline.inputs import Input
from pipeline.model import Verdict
from pipeline.verdict_json import CorruptEntry, json_to_verdict, verdict_to_json
from pipeline.verdict_spool import VerdictSpool

# Raised when a record changes meaning: older records are then ignored.
RECORD_FORMAT = 2
FOLDER = "outputs"


@dataclass(frozen=True)
class UpToDate:
    """What the console needs of a run whose outputs were already up to date."""

    verdicts: Sequence[Verdict]
    rows: Mapping[str, int]


def run_digest(
    inputs: Sequence[Input], fingerprint: Fingerprint, options: Mapping[str, Any], index_of: Path
) -> str | None:
    """The digest of what a run on inputs would publish; None when an input cannot be
    vouched for without reading it."""
    index = read_index(index_of)
    parts: list[object] = []
    for each in inputs:
        if each.refused is not None:
            parts.append([each.name, "refused", each.refused.code.value, each.refused.message])
            continue
        key = known_key(each, stamp_of(each.path), index, fingerprint)
        if key is None:
            return None
        parts.append([each.name, key])
    text = json.dumps(
        {
            "record_format": RECORD_FORMAT,
            "code": fingerprint.code,
            "inputs": parts,
            "options": options,
            "vocabularies": vocabulary_hashes(),
        },
        sort_keys=True,
        ensure_ascii=True,
        default=repr,
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def up_to_date(cache_dir: Path, out_dir: Path, digest: str) -> UpToDate | None:
    """The recorded verdicts and row counts when out_dir is as the run with this digest
    left it; else None."""
    try:
        with _record_path(cache_dir, out_dir).open(encoding="utf-8") as record:
            head = json.loads(record.readline())
            if not isinstance(head, dict) or head.get("record_format") != RECORD_FORMAT:
                return None
            files = _stamps(out_dir)
            if files is None or head.get("digest") != digest or head.get("files") != files:
                return None
            rows, count = head.get("rows"), head.get("verdicts")
            if not isinstance(rows, dict) or not all(isinstance(n, int) for n in rows.values()):
                return None
            if not isinstance(count, int) or count < 0:
                return None
            verdicts = VerdictSpool(count)
            for position in range(count):
                verdicts.put(position, json_to_verdict(json.loads(record.readline())))
            if record.readline():
                return None
    except (OSError, ValueError, RecursionError, CorruptEntry, TypeError):
        return None
    with suppress(OSError):  # used: the cache's prune keeps it (cache.KEEP_DAYS)
        os.utime(_record_path(cache_dir, out_dir))
    return UpToDate(verdicts, rows)


def remember(
    cache_dir: Path,
    out_dir: Path,
    digest: str,
    verdicts: Sequence[Verdict],
    rows: Mapping[str, int],
) -> None:
    """Record what a run just published in out_dir. Best effort: a record that cannot be
    written only means the next run does the work again."""
    head = {
        "record_format": RECORD_FORMAT,
        "digest": digest,
        "files": _stamps(out_dir),
        "rows": dict(rows),
    }
    target = _record_path(cache_dir, out_dir)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    with suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        # A verdict at a time: a run's verdicts are never all in memory (verdict_spool.py).
        with temporary.open("w", encoding="ascii") as file:
            file.write(json.dumps({**head, "verdicts": len(verdicts)}, ensure_ascii=True) + "\n")
            for verdict in verdicts:
                file.write(json.dumps(verdict_to_json(verdict), ensure_ascii=True) + "\n")
        temporary.replace(target)
    with suppress(OSError):
        temporary.unlink(missing_ok=True)


def forget(cache_dir: Path, out_dir: Path) -> None:
    """Drop the record of out_dir: its outputs are about to change."""
    with suppress(OSError):
        _record_path(cache_dir, out_dir).unlink(missing_ok=True)


def _record_path(cache_dir: Path, out_dir: Path) -> Path:
    name = hashlib.sha256(os.fsencode(out_dir.resolve())).hexdigest()
    return cache_dir / FOLDER / f"{name}.json"


def _stamps(out_dir: Path) -> dict[str, list[int]] | None:
    """Every file under out_dir by its relative path, with what stat says of it; None when
    the folder cannot be walked (it is then never up to date)."""
    root = out_dir.resolve()
    stamps: dict[str, list[int]] = {}
    try:
        for folder, _folders, files in os.walk(root, onerror=_raise):
            for name in files:
                path = Path(folder, name)
                info = path.lstat()
                relative = path.relative_to(root).as_posix()
                stamps[relative] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    except (OSError, ValueError):
        return None
    return dict(sorted(stamps.items())) if stamps else None


def _raise(error: OSError) -> None:
    raise error
