"""The status table against the guide's own section 3, and the decoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics import STATUS_GROUPS, decode_status, status_table

GUIDE = Path(__file__).parents[1] / "data" / "guide_section3_status_codes.tsv"


def guide_rows() -> dict[int, str]:
    rows: dict[int, str] = {}
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        codes, label = line.split("\t")
        for code in codes.split(","):
            rows[int(code)] = label
    return rows


def test_every_code_of_the_guide_is_in_the_table_with_its_french_label():
    table = status_table()
    guide = guide_rows()
    assert set(table.index) == set(guide)
    for code, label in guide.items():
        # the PDF extraction cut code 14's label after "votre"
        assert table.loc[code, "label_fr"].startswith(label), code


def test_groups_follow_the_issue_partition():
    expected = {
        "delivered": {16, 21},
        "delivered_stop": {17},
        "pending": {1, 9},
        "in_flight": {24, 10, 28},
        "undelivered": {20, 25, 22, 31},
        "invalid_number": {2, 29, 30},
        "rejected": {13, 27, 32, 26, 12},
        "blocked": {14, 15, 18},
        "not_sent": {3, 4, 5, 6, 7, 8, 19, 23},
    }
    table = status_table()
    for group, codes in expected.items():
        assert set(table.index[table["group"] == group]) == codes, group


def test_final_and_delivered_flags():
    table = status_table()
    not_final = {1, 9, 24, 10, 28, 31}  # 31: the platform retries (guide, section 3)
    assert set(table.index[~table["is_final"]]) == not_final
    assert set(table.index[table["is_delivered"]]) == {16, 21, 17}


def test_unknown_codes_and_missing_values_decode_to_unknown_not_an_error():
    out = decode_status(pd.Series([99, None, 16, -3, 1000], index=[10, 11, 12, 13, 14]))
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert out["status_group"].tolist() == ["unknown", "unknown", "delivered", "unknown", "unknown"]
    assert out["is_final"].isna().tolist() == [True, True, False, True, True]
    assert list(out["status_group"].cat.categories) == list(STATUS_GROUPS)


def test_labels_in_french_and_english():
    fr = decode_status([17, 2], lang="fr")["status"].tolist()
    en = decode_status([17, 2])["status"].tolist()
    assert fr == ["Délivré + STOP demandé", "Numéro mal formaté"]
    assert en == ["Delivered + STOP requested", "Badly formatted number"]


def test_string_codes_as_found_in_csv_files_decode():
    out = decode_status(pd.Series(["16", "14", "", "abc"], dtype="string"))
    assert out["status_group"].tolist() == ["delivered", "blocked", "unknown", "unknown"]


@settings(deadline=None)  # a loaded machine is no failure
@given(st.lists(st.one_of(st.integers(-5, 40), st.none()), max_size=200))
def test_decoding_is_elementwise(codes):
    """The vectorised decoder agrees with a plain per-code lookup in the table."""
    table = status_table()
    out = decode_status(codes)
    assert len(out) == len(codes)
    for code, group, final in zip(codes, out["status_group"], out["is_final"]):
        if code in table.index:
            assert group == table.loc[code, "group"]
            assert final == table.loc[code, "is_final"]
        else:
            assert group == "unknown"
            assert final is pd.NA


def test_million_codes_decode_in_one_pass():
    codes = np.random.default_rng(0).integers(0, 40, size=1_000_000)
    out = decode_status(pd.Series(codes))
    assert len(out) == 1_000_000
    assert (out["status_group"] == "delivered").sum() == np.isin(codes, [16, 21]).sum()
