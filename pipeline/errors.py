"""Domain exceptions. Each carries a Location and a hint; the CLI turns them into messages."""

from __future__ import annotations

from pipeline.codes import Code
from pipeline.model import Issue, Location, Stage


class PipelineError(Exception):
    """A problem that stops one input at one stage."""

    stage: Stage = "extract"

    def __init__(self, code: Code, message: str, location: Location, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.location = location
        self.hint = hint

    def to_issue(self) -> Issue:
        return Issue(self.stage, self.message, self.location, self.hint, code=self.code)

    def __str__(self) -> str:
        return str(self.to_issue())


class ReadError(PipelineError):
    """The file cannot be read or decoded."""

    stage: Stage = "read"


class ExtractError(PipelineError):
    """The file does not have the structure of an ALBATTS profile."""

    stage: Stage = "extract"


class OutputError(Exception):
    """The output folder cannot be written safely."""


class StewardError(Exception):
    """A mistake on the steward's side of a whole run (a vocabulary file, the output folder,
    the disk): one line naming the file and what to do, and an exit code of its own. The CLI
    prints it without a traceback."""

    exit_code: int = 3

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
