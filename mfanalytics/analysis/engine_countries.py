"""The engines' countries: the region of each number, computed where the rows are.

:func:`country_expr` resolves the numbers whose calling code belongs to one region with a
join on a table of 3-digit prefixes built from the ``phonenumbers`` metadata; the other
numbers (shared codes such as +1, +262, +590, unassigned codes, odd strings) are few
distinct values that the engine lists and :func:`mfanalytics.analysis.kpis.regions`
classifies, joined back in the engine.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from mfanalytics.analysis.engine_sources import require_columns as _require

__all__ = ["country_expr"]


@lru_cache(maxsize=1)
def _prefix_regions() -> pd.DataFrame:
    """3-digit prefix -> region, for the calling codes of a single region (built once from phonenumbers)."""
    import phonenumbers

    rows = []
    for cc, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        if len(regions) != 1:
            continue
        code = str(cc)
        width = 3 - len(code)
        rows += [(code + (f"{i:0{width}d}" if width else ""), regions[0]) for i in range(10**width)]
    return pd.DataFrame(rows, columns=["_p3", "_region"])


def _normalized_digits(mobile: Any) -> tuple[Any, Any]:
    """(digits after the ``+``, simple) as :func:`mfanalytics.analysis.kpis.regions` normalises a number."""
    import ibis

    u = mobile.cast("string").strip()
    u = ibis.ifelse(u.startswith("00"), "+" + u.substr(2), u)
    u = ibis.ifelse(u.startswith("+"), u, "+" + u)
    digits = u.substr(1)
    return digits, digits.re_search("^[0-9]{6,17}$").fill_null(False)


def country_expr(t: Any) -> Any:
    """``t`` with a column ``country``: the region of each ``mobile`` as :func:`~mfanalytics.analysis.kpis.regions` gives it."""
    import ibis

    from mfanalytics.analysis.kpis import regions

    _require(t, ["mobile"])
    digits, simple = _normalized_digits(t.mobile)
    prefixes = ibis.memtable(_prefix_regions())
    base = t.mutate(_p3=ibis.ifelse(simple, digits.substr(0, 3), ibis.null("string")))
    base = base.left_join(prefixes, "_p3")
    rest = base.filter(base._region.isnull() & base.mobile.notnull()).select("mobile").distinct()
    odd = rest.to_pyarrow().column("mobile").to_pandas(types_mapper=pd.ArrowDtype).astype("string")
    if len(odd):
        mapping = ibis.memtable(
            pd.DataFrame({"_m": odd.to_numpy(dtype=object), "_r": regions(odd).to_numpy(dtype=object)})
        )
        base = base.left_join(mapping, base.mobile == mapping._m)
        region = base._region.fill_null(base._r)
    else:
        region = base._region
    return base.mutate(country=region.fill_null("ZZ"))
