"""The output contract: the tables, their columns and meaning, their checks and keys.

Vocabularies are data that stewards edit (schemas/vocab/*.txt); everything else about the
contract is typed code here, checked by mypy like every other module.
"""
