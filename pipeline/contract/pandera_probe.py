"""pandera's probe of the dataframe libraries installed, answered without importing Dask.

Before it builds its first schema, pandera asks which DataFrame, Series and Index types
exist (pandera.typing.get_*_types, each answered once per process) and finds out whether
Dask is one of them by importing dask.dataframe: half a second in every process that builds
the contract's schemas (the run, its forkserver, each Dask worker), a quarter of a run of
one profile. The contract's tables are pandas frames only, so the probe is answered with
Dask hidden; Dask and pandera's Dask module are then forgotten again, so anyone who imports
them later gets them whole.
"""

from __future__ import annotations

import sys

import pandera.typing

_DASK = ("dask", "dask.dataframe")
_PANDERA_DASK = "pandera.typing.dask"


def answer_without_dask() -> None:
    """Answer pandera's probes now, with Dask hidden, unless Dask is imported already (the
    probe then costs nothing)."""
    if any(name in sys.modules for name in (*_DASK, _PANDERA_DASK)):
        return
    for name in _DASK:
        sys.modules[name] = None  # type: ignore[assignment]  # importing it raises ImportError
    try:
        pandera.typing.get_dataframe_types()
        pandera.typing.get_series_types()
        pandera.typing.get_index_types()
    finally:
        for name in _DASK:
            del sys.modules[name]
        # The module that found no Dask: a later import runs it again.
        sys.modules.pop(_PANDERA_DASK, None)
        vars(pandera.typing).pop("dask", None)
