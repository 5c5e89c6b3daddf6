"""The country of each mobile number, in Arrow kernels: :func:`countries` (read by the report facts).

:mod:`mfanalytics.analysis.facts` re-exports it; ``ReportFacts.country`` is
its answer for a report frame.

Examples
--------
>>> import pandas as pd
>>> countries(pd.Series(["+33612345678", "0032470123456", "hello"])).tolist()
['FR', 'BE', 'ZZ']
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["countries", "single_region_codes"]


def single_region_codes(width: int) -> tuple[list[str], list[str]]:
    """The country codes of ``width`` digits that belong to one region only, and their regions."""
    import phonenumbers

    pairs = [
        (str(cc), regions[0])
        for cc, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
        if len(str(cc)) == width and len(regions) == 1
    ]
    return [k for k, _ in pairs], [v for _, v in pairs]


@cache
def _three_digit_regions() -> tuple[pa.Array, list[str | None]]:
    """Every string of three digits, and the region of the single-region country code it starts
    with (None: a code shared by several regions, or no code). Country codes are prefix free, so
    at most one of a number's first one, two or three digits is a code."""
    of: dict[str, str] = {}
    for width in (1, 2, 3):
        keys, regions = single_region_codes(width)
        of.update(zip(keys, regions, strict=True))
    three = [f"{i:03d}" for i in range(1000)]
    return pa.array(three, pa.string()), [of.get(k[:1]) or of.get(k[:2]) or of.get(k) for k in three]


def countries(mobiles: pd.Series) -> pd.Series:
    """ISO region of each number (``"ZZ"`` when unknown), as :func:`mfanalytics.analysis.kpis.regions`
    gives it, in Arrow kernels over the rows.

    A number's country code is its only 1-3 digit prefix in phonenumbers' table (codes are prefix
    free); codes shared by several regions (+1, +7, +262, +590...) are settled by the vectorised
    replay of :func:`mfanalytics.lists.phones.regions_of_international`. Only strings of another
    shape (letters, too short) are asked to phonenumbers, once per distinct value.
    """
    import phonenumbers
    import pyarrow.compute as pc

    from mfanalytics.lists.phones import regions_of_international

    raw = pa.array(mobiles.astype("string").array, pa.string())
    if isinstance(raw, pa.ChunkedArray):
        raw = raw.combine_chunks()
    n = len(raw)
    text = pc.utf8_trim_whitespace(raw)
    zeros = pc.fill_null(pc.starts_with(text, "00"), False)  # 00 33...: +33...
    if pc.any(zeros).as_py():
        text = pc.if_else(zeros, pc.binary_join_element_wise("+", pc.utf8_slice_codeunits(text, 2), ""), text)
    plus = pc.fill_null(pc.starts_with(text, "+"), False)
    digits = pc.if_else(plus, pc.utf8_slice_codeunits(text, 1), text)
    # ^[0-9]{6,17}$ without a regex: ASCII digits only (not empty), 6 to 17 of them
    size = pc.binary_length(digits)
    simple = pc.fill_null(
        pc.and_(pc.ascii_is_decimal(digits), pc.and_(pc.greater_equal(size, 6), pc.less_equal(size, 17))), False
    )
    # the region of each single-region country code, read off the first three digits in one look-up
    keys, values = _three_digit_regions()
    found = pa.array(values, pa.string()).take(pc.index_in(pc.utf8_slice_codeunits(digits, 0, 3), keys))
    region = pc.if_else(simple, found, pa.nulls(n, pa.string()))
    shared = pc.and_(simple, pc.is_null(region))
    if pc.any(shared).as_py():  # shared codes: the vectorised replay
        where = np.flatnonzero(shared.to_numpy(zero_copy_only=False))
        settled, found = regions_of_international(digits.take(pa.array(where)))
        mask = np.zeros(n, dtype=bool)
        mask[where[settled]] = True
        region = pc.replace_with_mask(region, pa.array(mask), pc.fill_null(found.filter(pa.array(settled)), "ZZ"))
    missing = pc.and_(pc.is_null(region), pc.invert(pc.is_null(raw))).to_numpy(zero_copy_only=False)
    if missing.any():  # odd strings: phonenumbers, once per distinct value
        odd = pd.Series(
            pc.if_else(plus, text, pc.binary_join_element_wise("+", text, "")).to_numpy(zero_copy_only=False)
        )
        asked: dict[str, str] = {}
        for value in odd[missing].unique():
            try:
                asked[value] = phonenumbers.region_code_for_number(phonenumbers.parse(value)) or "ZZ"
            except phonenumbers.NumberParseException:
                asked[value] = "ZZ"
        region = pc.replace_with_mask(
            region, pa.array(missing), pa.array(odd[missing].map(asked).tolist(), pa.string())
        )
    out = pc.fill_null(region, "ZZ")
    return pd.Series(
        pd.arrays.ArrowStringArray(out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out),
        index=mobiles.index,
    )
