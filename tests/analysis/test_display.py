"""styled(): frames read as people read numbers, the data untouched."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from mfanalytics.analysis.display import format_value, is_rate_name, styled


def test_the_values_the_issue_quotes():
    assert format_value(0.870466, rate=True) == "87.0 %"
    assert format_value(pd.Timedelta("0 days 00:00:21.500000")) == "21.5 s"
    assert format_value(pd.Timedelta(minutes=3, seconds=5)) == "3 min 05 s"
    assert format_value(pd.Timedelta(hours=50)) == "2 d 02 h"
    assert format_value(4955) == "4,955" and format_value(4955, lang="fr") == "4\u202f955"
    assert format_value(pd.Timestamp("2026-11-01 10:03", tz="Europe/Paris")) == "1 Nov 2026 10:03"
    assert format_value(pd.Timestamp("2026-11-01"), lang="fr") == "1 nov. 2026"
    assert format_value(pd.NA) == format_value(float("nan")) == format_value(pd.NaT) == "—"


def test_rates_by_column_and_by_row_of_a_transposed_frame():
    frame = pd.DataFrame(
        {
            "sent": [200],
            "delivery_rate": [0.9],
            "click_rate_low": [0.0312],
            "median_latency": [pd.Timedelta(seconds=90)],
        }
    )
    html = styled(frame).to_html()
    assert "90.0 %" in html and "3.1 %" in html and "1 min 30 s" in html and ">200<" in html
    html_t = styled(frame.T).to_html()
    assert "90.0 %" in html_t and "3.1 %" in html_t and "1 min 30 s" in html_t


def test_text_is_shown_in_full():
    advice = "Vérifiez le numéro auprès du destinataire : " + "très long conseil " * 30
    html = styled(pd.DataFrame({"advice_en": [advice]})).to_html()
    assert advice.strip() in html and "..." not in html


@given(st.lists(st.floats(0, 1) | st.just(float("nan")), min_size=1, max_size=20))
def test_property_the_data_is_never_changed(values):
    frame = pd.DataFrame({"click_rate": values, "n": range(len(values))})
    before = frame.copy()
    styler = styled(frame)
    styler.to_html()
    pd.testing.assert_frame_equal(frame, before)
    assert styler.data is frame


@given(st.floats(0, 1))
def test_property_a_rate_reads_back_within_the_rounding(rate):
    text = format_value(rate, rate=True)
    assert text.endswith(" %")
    assert abs(float(text.removesuffix(" %").replace(",", "")) / 100 - rate) <= 0.0005 + 1e-12


def test_rate_names():
    assert all(is_rate_name(n) for n in ("delivery_rate", "share", "click_rate_high", "stop_rate_low", "pct"))
    assert not any(is_rate_name(n) for n in ("sent", "delivered", "rate_limit_hits", 3))
