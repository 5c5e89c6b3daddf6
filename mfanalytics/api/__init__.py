"""The API lane: talking to Mediasflow (or the sandbox).

:mod:`~mfanalytics.api.transport` is the one seam every request goes through
(retries, timeouts, the one retry decision); :mod:`~mfanalytics.api.client`
holds :class:`~mfanalytics.Client`; :mod:`~mfanalytics.api.payloads` builds
the request bodies; :mod:`~mfanalytics.api.periods` cuts a period into the
API's search windows and fetches them.
"""
