"""The messages lane: what a message costs and whether the API takes it. No I/O.

:mod:`~mfanalytics.messages.message` (``Message``; the lane's public names),
:mod:`~mfanalytics.messages.characters` (GSM-7 or not, replacements),
:mod:`~mfanalytics.messages.segments` (``count_segments``, a column at a time),
:mod:`~mfanalytics.messages.parts` (``count_one``, one message),
:mod:`~mfanalytics.messages.graphemes` (grapheme clusters),
:mod:`~mfanalytics.messages.gsm7` (the GSM 03.38 tables and the slow reference),
:mod:`~mfanalytics.messages.credits` (``estimate_credits``),
:mod:`~mfanalytics.messages.renderers` (``${FIELD}`` personalisation) and
:mod:`~mfanalytics.messages.campaign_rules` (sender, schedule, tinyList rules).
"""
