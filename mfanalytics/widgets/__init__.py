"""ipywidgets forms for JupyterLab: send a test campaign, explore a report.

Each form is an ``ipywidgets.VBox`` whose parts are public attributes; the
logic lives in plain methods (``validate()``, ``send()``, ``load()``...) that
the buttons call, and what the form has to say goes to its ``output``
(an ``ipywidgets.Output``). Errors are shown in the form, never swallowed.
They only call the client and the package's functions, never HTTP directly.

Examples
--------
>>> import mfanalytics
>>> from mfanalytics.widgets import SendForm
>>> with mfanalytics.sandbox(seed=0, start="2026-03-03T09:00:00Z") as sb:  # a Tuesday, 10:00 in Paris
...     form = SendForm(sb.client())
...     form.recipients.value = "06 12 34 56 78"
...     form.message.value = "Bonjour, -20% ce samedi ! STOP 36184"  # marketing: with its STOP mention
...     form.validate_button.click()
...     form.send_button.click()
...     form.campaign.status
'INJECTED'
"""

from mfanalytics.widgets.report import ReportExplorer
from mfanalytics.widgets.send import SendForm

__all__ = ["SendForm", "ReportExplorer"]
