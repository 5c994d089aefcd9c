"""What describes a published output: the datapackage descriptor and DATA.md.

Both are drawn from the contract's pandera models (pipeline/contract/tables.py), where every
table's title and description and every column's description are written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline import __version__
from pipeline.codes import MEANINGS
from pipeline.contract.tables import FOREIGN_KEYS, SCHEMA_VERSION, TABLES, primary_key
from pipeline.out_dir import GENERATOR

# The marker that tells an output of this tool from any other folder.
TITLE = "ALBATTS job-role profiles"
DESCRIPTION = (
    "Job-role profiles of the battery industry published by ALBATTS (Alliance for "
    "Batteries Technology, Training and Skills, Erasmus+, 2019-2023), read from their "
    "documents into tidy tables: profiles, their ESCO occupations, EQF levels, departments "
    "and specialisations, and their competences with statements and ESCO skills."
)

# pandera checks and the Table Schema constraints they become.
_BOUNDS = {
    "greater_than_or_equal_to": ("minimum", "min_value"),
    "less_than_or_equal_to": ("maximum", "max_value"),
}


def datapackage(formats: Sequence[str]) -> dict[str, Any]:
    """A Frictionless tabular data package describing the published tables: types, the
    constraints of the pandera models (required, unique, allowed values, patterns, bounds),
    keys and links. `frictionless validate datapackage.json` checks the CSV files with it."""
    fmt = "csv" if "csv" in formats else "json" if "json" in formats else "parquet"
    resources = []
    for name, model in TABLES.items():
        schema = model.to_schema()
        resource: dict[str, Any] = {
            "name": name,
            "type": "table",
            "profile": "tabular-data-resource",
            "title": schema.title,
            "description": schema.description,
            "path": f"{fmt}/{name}.{fmt}",
            "format": fmt,
            "schema": {
                "fields": [
                    _field(column_name, column) for column_name, column in schema.columns.items()
                ],
                "missingValues": [""],
                "primaryKey": list(primary_key(name)),
                "foreignKeys": [
                    {
                        "fields": list(key.columns),
                        "reference": {"resource": key.parent, "fields": list(key.columns)},
                    }
                    for key in FOREIGN_KEYS
                    if key.table == name
                ],
            },
        }
        if fmt == "csv":
            resource |= {"encoding": "utf-8", "mediatype": "text/csv"}
            resource["dialect"] = {"csv": {"delimiter": ",", "quoteChar": '"'}}
        resources.append(resource)
    return {
        "name": "albatts-job-role-profiles",
        "title": TITLE,
        "description": DESCRIPTION,
        "profile": "tabular-data-package",
        "version": SCHEMA_VERSION,
        "generator": GENERATOR,
        "pipeline_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "resources": resources,
    }


def _field(name: str, column: Any) -> dict[str, Any]:
    constraints: dict[str, Any] = {"required": not column.nullable}
    if column.unique:
        constraints["unique"] = True
    for check in column.checks:
        statistics = check.statistics or {}
        if check.name == "isin":
            constraints["enum"] = list(statistics["allowed_values"])
        elif check.name == "str_matches":
            constraints["pattern"] = statistics["pattern"].removeprefix("^").removesuffix("$")
        elif check.name in _BOUNDS:
            key, statistic = _BOUNDS[check.name]
            constraints[key] = statistics[statistic]
    return {
        "name": name,
        "type": _type(column),
        "description": column.description,
        "constraints": constraints,
    }


def _type(column: Any) -> str:
    return "integer" if "int" in str(column.dtype).lower() else "string"


def data_dictionary() -> str:
    """DATA.md: the tables, their keys and links, and every column with its meaning and
    constraints, for a person reading the output folder."""
    lines = [
        f"# {TITLE}",
        "",
        DESCRIPTION,
        "",
        f"Schema version {SCHEMA_VERSION}, written by albatts {__version__}. The same tables "
        "are in `parquet/`, `csv/` and `json/` (whichever the run wrote); "
        "`datapackage.json` describes them for Frictionless, `manifest.json` lists the "
        "inputs and `validation.json` every problem found.",
        "",
    ]
    for name, model in TABLES.items():
        schema = model.to_schema()
        links = [key for key in FOREIGN_KEYS if key.table == name]
        lines += [
            f"## {name}: {schema.title}",
            "",
            str(schema.description),
            "",
            f"Primary key: {', '.join(f'`{column}`' for column in primary_key(name))}.",
        ]
        lines += [
            f"Each row points at `{key.parent}` through "
            f"{', '.join(f'`{column}`' for column in key.columns)}."
            for key in links
        ]
        lines += ["", "| column | type | required | constraints | description |"]
        lines += ["| --- | --- | --- | --- | --- |"]
        for column_name, column in schema.columns.items():
            field = _field(column_name, column)
            lines.append(
                f"| `{column_name}` | {field['type']} | "
                f"{'yes' if field['constraints']['required'] else 'no'} | "
                f"{_constraints_text(field['constraints'], column)} | "
                f"{_cell(field['description'])} |"
            )
        lines.append("")
    lines += [
        "## Problem codes",
        "",
        "Every error and warning in `manifest.json` and `validation.json` carries a stable "
        "`code`; match on it, not on the message.",
        "",
        "| code | meaning |",
        "| --- | --- |",
        *(f"| `{code}` | {_cell(meaning)} |" for code, meaning in MEANINGS.items()),
        "",
    ]
    return "\n".join(lines)


# The contract's own text checks, as a reader of DATA.md needs them.
_TEXT_CHECKS = {
    "not_blank": "not blank",
    "clean_text": "one line, no markup or bullet markers",
    "clean_paragraphs": "paragraphs split by one blank line, no markup",
}


def _constraints_text(constraints: dict[str, Any], column: Any) -> str:
    parts = [_TEXT_CHECKS[check.name] for check in column.checks if check.name in _TEXT_CHECKS]
    if constraints.get("unique"):
        parts.append("unique")
    if "enum" in constraints:
        parts.append("one of " + ", ".join(f"`{value}`" for value in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"matches `{constraints['pattern']}`")
    if "minimum" in constraints:
        parts.append(f"≥ {constraints['minimum']}")
    if "maximum" in constraints:
        parts.append(f"≤ {constraints['maximum']}")
    return _cell("; ".join(parts))


def _cell(text: object) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")
