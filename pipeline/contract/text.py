"""Text facts shared by the extractors, the normalisation and the table contract."""

from __future__ import annotations

# Characters that mark a list item when they stand alone before its text. Word and office
# suites draw their default bullets from the Symbol and Wingdings fonts, which reach a PDF
# as private-use characters (U+F0B7 is Symbol's bullet, U+F0A7 Wingdings' square, U+F076
# its diamond, U+F0D8 its arrowhead, U+F0FC its tick, U+F06E its black square).
BULLET_MARKERS = "-•–*▪●◦‣·■□○◆◇❖➢►✓✔" + "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf06e\uf0a8\uf0e0\uf0d7"

# The keys of a profile's Context table (lower case, as written) and the field each fills.
CONTEXT_KEYS = {
    "minimum eqf": "eqf",
    "min eqf": "eqf",
    "eqf": "eqf",
    "value chain": "value_chain",
    "departments": "departments",
    "department": "departments",
    "specialisations": "specialisations",
    "specializations": "specialisations",
}
