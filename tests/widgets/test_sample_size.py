"""The SendForm's sample-size panel says what mfanalytics.sample_size computes, and says why when it cannot."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("ipywidgets")
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

import mfanalytics
from mfanalytics.widgets.sample_size import SampleSizePanel


def test_panel_follows_its_inputs():
    panel = SampleSizePanel()
    panel.baseline.value, panel.lift.value = 10.0, 20.0
    expected = math.ceil(NormalIndPower().solve_power(abs(proportion_effectsize(0.12, 0.10)), power=0.8, alpha=0.05))
    assert panel.per_arm == expected
    assert f"{expected:,} recipients per arm" in panel.result.value and f"{2 * expected:,} in all" in panel.result.value
    panel.power.value = 0.9
    assert panel.per_arm > expected
    panel.lift.value = 0.0
    assert panel.per_arm is None and "must differ from the baseline" in panel.result.value


def test_the_send_form_shows_it():
    with mfanalytics.sandbox(seed=0) as sb:
        form = mfanalytics.SendForm(sb.client())
        assert form.sample_size in form.children
        assert form.sample_size.per_arm == mfanalytics.sample_size(0.03, 0.20)


def test_the_sentence_reads_right():
    """'an 80 % chance' (not 'a 80%'), 'a 90 % chance'; percentages written as on the panel's labels ('80 %')."""
    panel = SampleSizePanel(baseline=3.0, lift=20.0)
    assert "From 3.00 % to 3.60 %:" in panel.result.value
    assert "for an 80 % chance of a significant difference at 5 %." in panel.result.value
    panel.power.value = 0.9
    assert "for a 90 % chance" in panel.result.value
