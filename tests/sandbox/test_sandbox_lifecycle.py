"""A campaign's life over the simulated clock, seen through its reports."""

from __future__ import annotations

import csv
import io
import itertools

from mfanalytics.reports.status_codes import STATUS_TABLE

# fiction numbers outside the deterministic blocks 00, 01 and 15: random outcomes
NUMBERS = [f"063998{n:04d}" for n in range(2000, 4000)]
ORDER = {1: 0, 9: 1, 24: 2, 10: 3, 28: 3, 31: 4}


def _codes(api, cid):
    text = api.get(f"/campaigns/report/{cid}").content.decode("utf-8")
    return [int(row["STATUS_CODE"]) for row in csv.DictReader(io.StringIO(text), delimiter=";")]


def test_lifecycle_from_processing_to_final(sb, api):
    sent = api.send(
        [{"mobile": m} for m in NUMBERS],
        msg="Bonjour, -20% ce week-end ${track_1}",
        tinyList=[{"index": 0, "isOG": True, "urlToRedirect": "https://example.org"}],
    )
    cid = sent["id"]
    assert sent["countValid"] == len(NUMBERS) and sent["creditCount"] == len(NUMBERS)
    snapshots = [_codes(api, cid)]
    assert set(snapshots[0]) == {1}  # nothing has moved at the instant of injection
    for step in (2, 5, 30, 600, 3000):
        sb.advance(step)
        snapshots.append(_codes(api, cid))
    api.login()
    for step in (86400, 2 * 86400):
        sb.advance(step)
        api.login()
        snapshots.append(_codes(api, cid))
    for before, after in itertools.pairwise(snapshots):
        assert all(ORDER.get(b, 5) <= ORDER.get(a, 5) for b, a in zip(before, after))
    assert len(set(snapshots[2])) >= 3  # a few seconds in, recipients are at different stages
    final = snapshots[-1]
    assert all(bool(STATUS_TABLE.loc[c, "is_final"]) for c in final)
    delivered = sum(c in (16, 21, 17) for c in final) / len(final)
    assert 0.85 < delivered < 0.96
    # every STOP (17) is on the blacklist, once
    stops = sorted(f"+33{m[1:]}" for m, c in zip(NUMBERS, final) if c == 17)
    listed = sorted(e["item"] for e in api.get("/blacklist").json())
    assert listed == stops
    rows = api.report(cid)
    clicked = [r for r in rows if r["TRACK_1_COUNTER"]]
    assert clicked and all(r["STATUS_CODE"] in (16, 21, 17) for r in clicked)
    assert all(r["TRACK_1"] for r in clicked)
    assert any(r["PREVIEW_COUNTER"] for r in rows)


def test_same_seed_same_report():
    from sandbox_api import START, Api

    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    def run(seed):
        with EmbeddedSandbox(seed=seed, start=START) as other:
            client = Api(other)
            cid = client.send([{"mobile": m} for m in NUMBERS[:300]], msg="Promo")["id"]
            other.advance(120)
            return client.get(f"/campaigns/report/{cid}").content

    assert run(4) == run(4)
    assert run(4) != run(5)
