"""A few campaigns on an embedded sandbox (real HTTP on loopback), built once per run, for the statistics tests.

Two message variants (A: GSM-7; B: a UCS-2 character and a long merge field for some
recipients), a link, and the campaign answers of the API (their ``creditCount`` is the
platform's own count of credits, an oracle for :func:`mfanalytics.cost_breakdown`).
"""

from __future__ import annotations

from functools import lru_cache

LINK = [
    {
        "associateToDomain": "1mf.eu",
        "host": "1mf.eu",
        "index": 0,
        "isOG": True,
        "type": "REDIRECT",
        "urlToRedirect": "https://www.example.com/offre",
    }
]
MESSAGES = {
    "A": "Bonjour ${PRENOM}, -20% ce week-end : ${track_1} STOP 36184",
    "B": "Bonjour ${PRENOM}, « -20 % » ce week-end : ${track_1} STOP 36184",
}


@lru_cache(maxsize=1)
def period() -> dict:
    """{"report": the period report, "campaigns": {id: answer}, "variant": {id: "A"/"B"}, "as_of": clock}."""
    from datetime import timedelta

    import mfanalytics

    long_name = "Marie-Christine-Éléonore " * 5  # 125 characters: several segments
    people = [{"mobile": f"06{13_000_000 + i:08d}", "PRENOM": long_name if i % 10 == 0 else "Zoé"} for i in range(400)]
    campaigns, variant = {}, {}
    with mfanalytics.sandbox(seed=3, start="2026-03-02T08:00:00Z") as sb:
        sb.add_user("analyst", "analyst-pass", max_segments=4)  # an account that takes long messages
        client = sb.client("analyst", "analyst-pass", max_segments=4)
        for day in range(4):
            v = "AB"[day % 2]
            c = client.send_campaign(MESSAGES[v], recipients=people, tiny_list=LINK, allow_ucs2=True)
            campaigns[c.id], variant[c.id] = c, v
            sb.advance(86_400)
        report = client.get_reports(sb.now - timedelta(days=5), progress=False)
        as_of = sb.now
        client.close()
    return {"report": report, "campaigns": campaigns, "variant": variant, "as_of": as_of}
