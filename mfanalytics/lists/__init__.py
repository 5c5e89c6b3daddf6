"""The lists lane: recipient files read, checked and cleaned.

:mod:`~mfanalytics.lists.recipients` (``read_list``, ``clean_recipients``)
and :mod:`~mfanalytics.lists.phones` (mobile numbers to E.164).
"""
