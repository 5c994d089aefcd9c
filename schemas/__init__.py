"""Table contracts and controlled vocabularies, shipped as pipeline.schemas.

Stewards edit the plain-text vocabularies in vocab/; the pandera models in tables.py read
them, so a new term never needs a code change.
"""
