"""A verdict as JSON and back, for the cache: every field kept (the published JSON of
write.py leaves out what readers do not need), and anything else refused as CorruptEntry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from pipeline.codes import Code
from pipeline.model import Issue, Location, Severity, SourceFormat, Stage, Status, Verdict


class CorruptEntry(ValueError):
    """An entry that cannot be read as a complete result for its key."""


def verdict_to_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "source_file": verdict.source_file,
        "sha256": verdict.sha256,
        "source_format": verdict.source_format,
        "status": verdict.status,
        "profile_id": verdict.profile_id,
        "issues": [_issue_to_json(issue) for issue in verdict.issues],
    }


def _issue_to_json(issue: Issue) -> dict[str, Any]:
    where = issue.location
    return {
        "stage": issue.stage,
        "message": issue.message,
        "location": {
            "file": where.file,
            "page": where.page,
            "line": where.line,
            "table": where.table,
            "column": where.column,
            "row": where.row,
        },
        "hint": issue.hint,
        "severity": issue.severity,
        "debug": issue.debug,
        "code": issue.code.value,
    }


def json_to_verdict(data: object) -> Verdict:
    """The verdict verdict_to_json wrote; CorruptEntry for anything else."""
    if not isinstance(data, dict):
        raise CorruptEntry("no verdict")
    return Verdict(
        _text(data, "source_file"),
        _optional_text(data, "sha256"),
        _choice(data, "source_format", (*get_args(SourceFormat), None)),
        _choice(data, "status", get_args(Status)),
        _optional_text(data, "profile_id"),
        tuple(_json_to_issue(issue) for issue in _list(data, "issues")),
    )


def _json_to_issue(data: object) -> Issue:
    if not isinstance(data, dict) or not isinstance(data.get("location"), dict):
        raise CorruptEntry("not an issue")
    where = data["location"]
    return Issue(
        _choice(data, "stage", get_args(Stage)),
        _text(data, "message"),
        Location(
            _text(where, "file"),
            _optional_number(where, "page"),
            _optional_number(where, "line"),
            _optional_text(where, "table"),
            _optional_text(where, "column"),
            _optional_text(where, "row"),
        ),
        _text(data, "hint"),
        _choice(data, "severity", get_args(Severity)),
        _optional_text(data, "debug"),
        code=Code(_text(data, "code")),
    )


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise CorruptEntry(f"{key} is not a text")
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    return None if data.get(key) is None else _text(data, key)


def _number(data: object, key: str) -> int:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise CorruptEntry(f"{key} is not a whole number")
    return value


def _optional_number(data: Mapping[str, Any], key: str) -> int | None:
    return None if data.get(key) is None else _number(data, key)


def _choice(data: Mapping[str, Any], key: str, choices: tuple[Any, ...]) -> Any:
    value = data.get(key)
    if value not in choices:
        raise CorruptEntry(f"{key} is not one of {choices}")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise CorruptEntry(f"{key} is not a list")
    return value
