"""Benchmark: Message.render (personalise and count) for 1,000,000 recipients with two merge fields,
vs the per-recipient loop a user would write.

Run: ``.venv/bin/python benchmarks/bench_render.py [n]``. Not collected by pytest.

The recipients are generated deterministically (seeded): a first name and a city per row, drawn from
lists with accents (some outside GSM-7, so a share of the messages goes out in UCS-2 with
``allow_ucs2=True``) and of lengths that put some messages over one SMS. The baseline is the loop: for
each recipient, ``str.replace`` per field, then the exact per-message count
(``mfanalytics.messages.parts.count_one``). Texts and counts must be identical. Each side runs twice
and the best time counts (the first runs are printed too).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mfanalytics.messages.message import Message
from mfanalytics.messages.parts import count_one

TEMPLATE = (
    "Bonjour ${PRENOM}, votre magasin de ${VILLE} vous offre -20% sur toute la collection ce week-end, "
    "et la livraison est offerte des 50 EUR d'achat. STOP au 36184"
)
FIRST = ["Zoé", "Léa", "Jean", "Marie-Hélène", "François", "Anaïs", "Noël", "Chloé", "Mathéo", "Inès", "Björn"]
FIRST += ["Jean-Christophe", "Maximilien", "Églantine", "Ömer", "Łukasz", "Agnès", "Loïc", "Gaëlle", "Timothée"]
CITIES = ["Paris", "Lyon", "Saint-Étienne", "Besançon", "Aix-en-Provence", "Nîmes", "Orléans", "Perpignan"]
CITIES += ["Châlons-en-Champagne", "Boulogne-Billancourt", "Saint-Germain-en-Laye", "Évry", "Lille", "Brest"]


def make_recipients(n: int, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    # distinct values as in a real list: a name with a numbered suffix now and then
    first = [rng.choice(FIRST) + ("" if rng.random() < 0.7 else f" {rng.randrange(100)}") for _ in range(n)]
    city = [rng.choice(CITIES) for _ in range(n)]
    return pd.DataFrame({"PRENOM": first, "VILLE": city}, dtype="string")


def per_recipient(frame: pd.DataFrame) -> list[tuple[str, str, int, int]]:
    out = []
    for prenom, ville in zip(frame["PRENOM"].tolist(), frame["VILLE"].tolist()):
        text = TEMPLATE.replace("${PRENOM}", prenom).replace("${VILLE}", ville)
        out.append((text, *count_one(text)))
    return out


def main(n: int = 1_000_000) -> None:
    t0 = time.perf_counter()
    recipients = make_recipients(n)
    message = Message(TEMPLATE, allow_ucs2=True)
    print(f"generated {n:,} recipients in {time.perf_counter() - t0:.1f} s")
    message.render(recipients.head(2000), max_segments=3)  # warm the lazy tables
    per_recipient(recipients.head(2000))

    loops, renders = [], []
    for _ in range(2):  # the first run of each also grows the process's memory (on a shared machine, slowly)
        t0 = time.perf_counter()
        expected = per_recipient(recipients)
        loops.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rendered = message.render(recipients, max_segments=3)
        renders.append(time.perf_counter() - t0)
    t_loop, t_render = min(loops), min(renders)

    got = list(
        zip(
            rendered["text"].tolist(),
            rendered["encoding"].astype(str).tolist(),
            rendered["length"].astype(int).tolist(),
            rendered["segments"].astype(int).tolist(),
        )
    )
    identical = got == expected
    mix = rendered.groupby(["encoding", "segments"], observed=True).size().to_dict()
    print("mix (encoding, segments):", mix)
    print(f"per-recipient loop (replace + count_one): {t_loop:8.2f} s   (runs: {', '.join(f'{t:.2f}' for t in loops)})")
    print(
        f"Message.render:                           {t_render:8.2f} s   (runs: {', '.join(f'{t:.2f}' for t in renders)})"
    )
    print(f"ratio (best of 2 each): {t_loop / t_render:5.1f}x; first runs: {loops[0] / renders[0]:5.1f}x")
    print(f"identical texts and counts: {identical}")
    if not identical:
        raise SystemExit("Message.render and the per-recipient loop disagree")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
