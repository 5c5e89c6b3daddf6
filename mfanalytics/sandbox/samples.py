"""Sample history for a fresh sandbox: a month of campaigns to analyse.

:func:`populate` sends a campaign every day or two over the last ``days``
days of the sandbox's clock (marketing and notification messages, some with
tracked links, some with accents), to recipients drawn deterministically from
small name lists, and runs the clock through it, so that reports, period
views and plots have realistic data from the first cell of a notebook.

The numbers are generated; they live only in the local sandbox.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from mfanalytics.errors import ComplianceWarning

__all__ = ["populate"]

_PRENOMS = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Jade",
    "Louise",
    "Zoé",
    "Emma",
    "Hélène",
    "Lucas",
    "Hugo",
    "Louis",
    "Gabriel",
    "Jules",
    "Arthur",
    "Raphaël",
    "Théo",
    "François",
    "Jérôme",
    "Benoît",
    "Loïc",
    "Anaïs",
)
_NOMS = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Payet",
    "Hoarau",
)
_VILLES = ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Rennes", "Saint-Denis", "Nice")
_LINK = [
    {
        "associateToDomain": "1mf.eu",
        "host": "1mf.eu",
        "index": 0,
        "isOG": True,
        "type": "REDIRECT",
        "urlToRedirect": "https://www.example.com/offre",
    }
]
_MESSAGES = (
    ("MKG", "Bonjour ${PRENOM}, -20% sur tout le magasin de ${VILLE} ce week-end ! ${track_1} STOP 36184", _LINK),
    ("NOTIFICATION", "Bonjour ${PRENOM}, votre commande est prête en magasin à ${VILLE}.", None),
    ("MKG", "${PRENOM}, les soldes commencent demain : découvrez nos offres ${track_1} STOP 36184", _LINK),
    (
        "NOTIFICATION",
        "Rappel : votre rendez-vous est confirmé demain à 10h. Répondez STOP pour ne plus recevoir.",
        None,
    ),
)


def _recipients(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    prefixes = rng.choice(["6", "7"], size=n, p=[0.8, 0.2])
    bodies = rng.integers(10_000_000, 99_999_999, size=n)
    # 07 numbers: keep to allocated blocks (73..78 are allocated in France)
    sevens = rng.integers(3, 9, size=n)
    prenoms = rng.choice(_PRENOMS, size=n)
    noms = rng.choice(_NOMS, size=n)
    villes = rng.choice(_VILLES, size=n)
    out = []
    for p, b, s, pr, no, vi in zip(prefixes, bodies, sevens, prenoms, noms, villes):
        digits = f"06{b:08d}" if p == "6" else f"07{s}{b % 10_000_000:07d}"
        out.append({"mobile": digits, "PRENOM": str(pr), "NOM": str(no), "VILLE": str(vi)})
    return out


def populate(sb: Any, *, days: int = 30, seed: int = 0, username: str = "demo", password: str = "demo") -> list[int]:
    """Send a month of campaigns on ``sb`` and run its clock through them.

    The clock must be at the start of the history: it ends ``days`` days
    later. Returns the campaign ids, oldest first.

    Examples
    --------
    >>> import mfanalytics
    >>> with mfanalytics.sandbox(seed=0, start="2026-02-01T08:00:00Z") as sb:
    ...     ids = populate(sb, days=6)
    ...     len(ids) > 2
    True
    """
    rng = np.random.default_rng(seed)
    client = sb.client(username, password, now=lambda: sb.now)
    ids: list[int] = []
    elapsed = 0.0
    horizon = days * 86400.0
    while True:
        gap = float(rng.choice([1, 1, 2])) * 86400.0
        if elapsed + gap > horizon - 86400.0:
            break
        kind, text, links = _MESSAGES[len(ids) % len(_MESSAGES)]
        people = _recipients(rng, int(rng.integers(150, 900)))
        # A real sender's history: now and then a campaign lands on a Sunday or a holiday. The
        # French sending rules warn (silently) instead of refusing, so the reports show it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ComplianceWarning)
            campaign = client.send_campaign(
                text,
                recipients=people,
                type_select=kind,
                sender="MaBoutique",
                auto_replace_gsm7=True,
                tiny_list=links,
                campaign_name=f"Sample {len(ids) + 1}",
                compliance="warn",
            )
        ids.append(campaign.id)
        sb.advance(gap)
        elapsed += gap
    sb.advance(horizon - elapsed)
    client.close()
    return ids
