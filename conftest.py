"""Names the docstring examples use: report frames from a sandbox week.

``report`` (one campaign), ``r1`` and ``r2`` (two campaigns) and ``week``
(a 7-day period report of seven campaigns), built once per run on an
embedded sandbox, so the examples in the package's docstrings run as
written (``make test`` runs them with ``--doctest-modules``).
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache

import pytest
from hypothesis import settings

# ``make test`` is never flaky: every property test explores the same examples on every run (a
# failure found once is found again), keeps no example database between runs, and has no
# deadline (a timing assertion in disguise on a loaded 2-core machine). A test that wants
# another search says so with its own ``@settings``; ``MFANALYTICS_HYPOTHESIS=explore`` turns the
# random search back on for a session of bug hunting.
settings.register_profile("mfanalytics", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", derandomize=False, database=None, deadline=None, max_examples=500)
settings.load_profile(os.environ.get("MFANALYTICS_HYPOTHESIS", "mfanalytics"))


@lru_cache(maxsize=1)
def _examples() -> dict:
    from datetime import timedelta

    import mfanalytics
    from mfanalytics.errors import ComplianceWarning

    link = [
        {
            "associateToDomain": "1mf.eu",
            "host": "1mf.eu",
            "index": 0,
            "isOG": True,
            "type": "REDIRECT",
            "urlToRedirect": "https://www.example.com/offre",
        }
    ]
    people = [{"mobile": f"06{12_000_000 + i:08d}", "PRENOM": "Ana"} for i in range(300)]
    with mfanalytics.sandbox(seed=0, start="2026-03-02T08:00:00Z") as sb:
        client = sb.client()
        # A week of sample data, Sunday included and without a STOP mention: the examples are about
        # reports, so the French sending rules only warn here (and the warnings are not shown).
        client.compliance = "warn"
        ids = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ComplianceWarning)
            for _ in range(7):
                ids.append(client.send_campaign("Bonjour ${PRENOM} : ${track_1}", recipients=people, tiny_list=link).id)
                sb.advance(86_400)
        week = client.get_reports(sb.now - timedelta(days=7, hours=1), progress=False)
        r1, r2 = client.get_report(ids[0]), client.get_report(ids[1])
        client.close()
    return {"report": r1, "r1": r1, "r2": r2, "week": week}


@pytest.fixture(autouse=True)
def _doctest_examples(request):
    if type(request.node).__name__ != "DoctestItem":
        yield
        return
    namespace = request.getfixturevalue("doctest_namespace")
    for name, value in _examples().items():
        namespace[name] = value.copy()
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:  # each example starts on a fresh figure, as a notebook cell does
        sys.modules["matplotlib.pyplot"].close("all")
