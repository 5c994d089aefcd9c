"""The contract's text dtype: pandera's pandas string dtype, checked once per column.

pandera's STRING.check answers an exactly matching column element by element (an array of
True as long as the column), and pandera then builds an empty table of failure cases from
it for every text column of every validation: a quarter of the cost of checking a batch
of PDF profiles. Text answers a matching column with one True; any other column is checked as
STRING checks it, so failures are found and reported the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from pandera import dtypes
from pandera.engines import pandas_engine
from pandera.engines.pandas_engine import PandasObject


@pandas_engine.Engine.register_dtype
@dtypes.immutable(init=True)
class Text(pandas_engine.STRING):
    """Text in pandas' default string dtype (str, stored by pyarrow)."""

    def check(
        self, pandera_dtype: dtypes.DataType, data_container: PandasObject | None = None
    ) -> bool | Iterable[bool]:
        try:
            resolved = pandas_engine.Engine.dtype(pandera_dtype)
        except TypeError:
            return False
        if resolved.type == self.type:
            return True
        return super().check(pandera_dtype, data_container)
