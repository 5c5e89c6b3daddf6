"""Generate ``campaign_5000.csv``: 5,000 realistic recipients for the demo.

Deterministic (fixed seed, standard library only): running it again rewrites
the same bytes. UTF-8, ``;`` separated, columns ``mobile;PRENOM;NOM;VILLE;CP;REF``.

Mostly French mobiles in the usual formats, some overseas (RE, GP, MQ) and
Belgian ones, plus a few rows a cleaner must catch: 15 invalid or fixed-line
numbers, 20 duplicates of earlier rows (written differently), and the 10
numbers of :data:`BLACKLIST` (people who answered STOP, also written to
``blacklist_stop.csv``), for demos of ``clean_recipients(..., blacklist=...)``.

The numbers are random; the file is meant for the local sandbox only. Never
send a real campaign to it.

Run: ``python data_samples/make_campaign_5000.py``
"""

from __future__ import annotations

import random
from pathlib import Path

SEED = 5000
N_ROWS = 5000

PRENOMS = [
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
    "Amélie",
    "Cécile",
    "Noémie",
    "Maëlle",
    "Lucas",
    "Hugo",
    "Louis",
    "Gabriel",
    "Jules",
    "Arthur",
    "Raphaël",
    "Théo",
    "Mathéo",
    "François",
    "Jérôme",
    "Benoît",
    "Loïc",
    "Gaël",
    "Anaïs",
    "Océane",
    "Thomas",
    "Nicolas",
    "Julien",
    "Sophie",
]
NOMS = [
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
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Légaré",
    "Gaillard",
    "Hoarau",
    "Payet",
    "Grondin",
    "Céleste",
    "N'Diaye",
    "Le Gall",
    "Château",
]
VILLES = [
    ("Paris", "75011"),
    ("Paris", "75017"),
    ("Marseille", "13001"),
    ("Lyon", "69003"),
    ("Toulouse", "31000"),
    ("Nice", "06000"),
    ("Nantes", "44000"),
    ("Montpellier", "34000"),
    ("Strasbourg", "67000"),
    ("Bordeaux", "33000"),
    ("Lille", "59000"),
    ("Rennes", "35000"),
    ("Reims", "51100"),
    ("Saint-Étienne", "42000"),
    ("Orléans", "45000"),
    ("Besançon", "25000"),
    ("Ajaccio", "20000"),
    ("Bourg-en-Bresse", "01000"),
    ("Nîmes", "30000"),
    ("Évry-Courcouronnes", "91000"),
]
OVERSEAS = [
    ("Saint-Denis", "97400", "0692", "+262"),
    ("Saint-Pierre", "97410", "0692", "+262"),
    ("Pointe-à-Pitre", "97110", "0690", "+590"),
    ("Fort-de-France", "97200", "0696", "+596"),
]
BAD = [
    "01 42 68 53 00",
    "04 91 55 11 11",
    "0800 123 456",
    "06 12 34",
    "n/a",
    "",
    "inconnu",
    "07 00 00 00 00",
    "+33 6 12",
    "0612345678901",
    "06 XX XX XX XX",
    "0",
    "   ",
    "05 56 00 00 00",
    "+999 123 456 789",
]


def _fmt(national: str, rng: random.Random) -> str:
    """A French national number (10 digits) written the way people type it."""
    k = rng.random()
    if k < 0.45:
        return national
    if k < 0.70:
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    if k < 0.80:
        return "+33" + national[1:]
    if k < 0.86:
        return ".".join(national[i : i + 2] for i in range(0, 10, 2))
    if k < 0.92:
        return "33" + national[1:]
    if k < 0.96:
        return "+33 " + national[1] + " " + " ".join(national[i : i + 2] for i in range(2, 10, 2))
    return "0033" + national[1:]


def make_rows(seed: int = SEED) -> tuple[list[list[str]], list[str]]:
    """The rows and the blacklist (national numbers)."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    used: set[str] = set()

    def fresh(prefix: str) -> str:
        while True:
            num = prefix + "".join(rng.choice("0123456789") for _ in range(10 - len(prefix)))
            if num not in used:
                used.add(num)
                return num

    n_plain = N_ROWS - len(BAD) - 20  # duplicates are added below
    for i in range(n_plain):
        k = rng.random()
        if k < 0.93:
            ville, cp = rng.choice(VILLES)
            # French mobile ranges: 06 0-2, 06 4-8, 07 3-9 (06 3x / 06 9x are mostly overseas)
            prefix = rng.choice(
                ["060", "061", "062", "064", "065", "066", "067", "068", "073", "075", "076", "077", "078"]
            )
            mobile = _fmt(fresh(prefix), rng)
        elif k < 0.98:
            ville, cp, prefix, cc = rng.choice(OVERSEAS)
            national = fresh(prefix)
            mobile = rng.choice([national, " ".join(national[i : i + 2] for i in range(0, 10, 2)), cc + national[1:]])
        else:
            ville, cp = "Bruxelles", "1000"
            mobile = (
                "+32 4"
                + rng.choice("56789")
                + rng.choice("0123456789")
                + " "
                + " ".join("".join(rng.choice("0123456789") for _ in range(2)) for _ in range(3))
            )
        rows.append([mobile, rng.choice(PRENOMS), rng.choice(NOMS), ville, cp, ""])
    for bad in BAD:
        ville, cp = rng.choice(VILLES)
        rows.insert(rng.randrange(len(rows)), [bad, rng.choice(PRENOMS), rng.choice(NOMS), ville, cp, ""])
    for _ in range(20):  # the same person twice, typed differently
        src = rng.choice(rows[:4000])
        if src[0] in BAD or src[0].startswith("+"):
            dup = src[0]  # the same text again
        else:
            digits = "0" + "".join(c for c in src[0] if c.isdigit())[-9:]
            dup = " ".join(digits[i : i + 2] for i in range(0, 10, 2))
        rows.insert(rng.randrange(4000, len(rows)), [dup] + src[1:])
    blacklist = [r[0] for r in rng.sample(rows[:4500], 10) if r[0] not in BAD]
    for i, row in enumerate(rows, start=1):
        row[5] = f"CLI-{i:05d}"
    return rows, blacklist


def main(path: Path | None = None) -> Path:
    path = path or Path(__file__).with_name("campaign_5000.csv")
    rows, _ = make_rows()
    text = "mobile;PRENOM;NOM;VILLE;CP;REF\n" + "".join(";".join(r) + "\n" for r in rows)
    path.write_bytes(text.encode("utf-8"))
    stops = "item\n" + "".join(f"{number}\n" for number in make_rows()[1])
    path.with_name("blacklist_stop.csv").write_bytes(stops.encode("utf-8"))
    return path


#: Numbers of the file that answered STOP (as written in the file).
BLACKLIST: list[str] = make_rows()[1]

if __name__ == "__main__":
    print(main())
