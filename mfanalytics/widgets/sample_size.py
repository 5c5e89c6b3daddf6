"""``SampleSizePanel``: how many recipients a test campaign needs, in the send form.

A small part of :class:`mfanalytics.widgets.SendForm` (its ``sample_size``
attribute): the rate today and the lift to detect in, the recipients per arm
out, from :func:`mfanalytics.sample_size` (statsmodels' power of a test of
two proportions).

Examples
--------
>>> panel = SampleSizePanel()
>>> panel.baseline.value, panel.lift.value = 3.0, 20.0
>>> panel.per_arm
13887
>>> "13,887 recipients per arm" in panel.result.value
True
"""

from __future__ import annotations

import html

import ipywidgets as w

import mfanalytics
from mfanalytics.errors import ValidationError
from mfanalytics.widgets.common import BAD, NOTE

__all__ = ["SampleSizePanel"]


def _percent(share: float, digits: int = 0) -> str:
    """``0.8`` -> ``"80 %"``: a space before the sign, as the panel's labels write it."""
    return f"{share * 100:.{digits}f} %"


def _article(number: str) -> str:
    """``"an"`` before a percentage said with a vowel first (8, 11, 18, 80-89), else ``"a"``.

    Examples
    --------
    >>> [f"{_article(n)} {n} %" for n in ("80", "90", "11", "18.5", "8", "1")]
    ['an 80 %', 'a 90 %', 'an 11 %', 'an 18.5 %', 'an 8 %', 'a 1 %']
    """
    whole = number.split(".")[0]
    return "an" if whole.startswith("8") or whole in ("11", "18") else "a"


class SampleSizePanel(w.VBox):
    """The sample size of an A/B test: baseline rate and lift in, recipients per arm out.

    Attributes
    ----------
    baseline : ipywidgets.BoundedFloatText
        The rate today, in % (e.g. a 3 % click rate).
    lift : ipywidgets.BoundedFloatText
        The relative change to detect, in % (20: from 3 % to 3.6 %).
    power : ipywidgets.Dropdown
        The chance to detect it when it is real.
    result : ipywidgets.HTML
        What the panel says.
    per_arm : int or None
        Recipients per arm (None while the inputs are not valid).
    """

    def __init__(self, *, baseline: float = 3.0, lift: float = 20.0) -> None:
        self.per_arm: int | None = None
        self.title = w.HTML("<b>Testing two variants?</b> Recipients needed to see the difference:")
        style = {"description_width": "initial"}
        self.baseline = w.BoundedFloatText(
            value=baseline, min=0.01, max=99.99, step=0.1, description="Rate today (%)", style=style
        )
        self.lift = w.BoundedFloatText(
            value=lift, min=-99.0, max=1000.0, step=5.0, description="Change to detect (%)", style=style
        )
        self.power = w.Dropdown(options=[("80 %", 0.8), ("90 %", 0.9)], value=0.8, description="Power", style=style)
        self.result = w.HTML()
        for widget in (self.baseline, self.lift, self.power):  # each fits a 390 px phone
            widget.layout = w.Layout(width="auto", max_width="100%")
        row = w.HBox([self.baseline, self.lift, self.power], layout=w.Layout(flex_flow="row wrap", max_width="100%"))
        super().__init__(children=[self.title, row, self.result])
        for widget in (self.baseline, self.lift, self.power):
            widget.observe(lambda _: self.update(), names="value")
        self.update()

    def update(self) -> int | None:
        """Recompute the sample size from the inputs and say it; return it (None if the inputs are not valid)."""
        base, lift = self.baseline.value / 100, self.lift.value / 100
        try:
            n = mfanalytics.sample_size(base, lift, power=self.power.value)
        except ValidationError as exc:
            self.per_arm = None
            self.result.value = f"<span style='{BAD}'>{html.escape(str(exc))}</span>"
            return None
        self.per_arm = n
        target = base * (1 + lift)
        chance = _percent(self.power.value)
        self.result.value = (
            f"<span style='{NOTE}'>From {_percent(base, 2)} to {_percent(target, 2)}: "
            f"<b>{n:,} recipients per arm</b> ({2 * n:,} in all) for {_article(chance)} {chance} chance "
            "of a significant difference at 5 %. Fewer, and a real difference may look like chance.</span>"
        )
        return n
