"""The steward-editable vocabularies (vocab/*.txt), shipped as package data.

The pandera models that read them live in pipeline/contract/.
"""
