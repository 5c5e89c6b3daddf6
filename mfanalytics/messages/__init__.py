"""The messages lane: what a message costs and whether the API takes it.

:mod:`~mfanalytics.messages.message` (``Message``, segments, credits),
:mod:`~mfanalytics.messages.gsm7` (the GSM 03.38 tables),
:mod:`~mfanalytics.messages.renderers` (``${FIELD}`` personalisation) and
:mod:`~mfanalytics.messages.campaign_rules` (sender, schedule, tinyList rules).
No I/O.
"""
