"""Benchmark: count_segments on 1,000,000 messages vs two per-message Python loops.

Run: ``.venv/bin/python benchmarks/bench_segments.py [n]``. Not collected by pytest.

The messages are generated deterministically (seeded): French campaign text
20 to 500 characters long; some plain GSM-7, some with extension characters
(€, {}), some with accents outside GSM-7 (UCS-2), some with emoji (including
variation selectors, skin tones, flags and ZWJ sequences). Two baselines, in the
same run:

- ``naive``: the plain loop a user would write (issue 17), a character-set check
  per message; it is not exact at part boundaries (an escape or an emoji that
  does not fit moves to the next part): the run prints on how many messages
  it is wrong;
- the exact per-message count ``mfanalytics.messages.parts.count_one``, whose
  results must be identical to count_segments' for every message.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections import Counter

import pandas as pd

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from mfanalytics.messages.gsm7 import GSM7_BASIC, GSM7_EXTENSION
from mfanalytics.messages.message import count_segments
from mfanalytics.messages.parts import count_one

GSM, EXT = set(GSM7_BASIC), set(GSM7_EXTENSION)


def naive(t):
    if all(c in GSM or c in EXT for c in t):
        n = len(t) + sum(c in EXT for c in t)
        return 1 if n <= 160 else math.ceil(n / 153)
    n = len(t.encode("utf-16-le")) // 2
    return 1 if n <= 70 else math.ceil(n / 67)


WORDS = [
    "Bonjour",
    "votre",
    "commande",
    "est",
    "prete",
    "chez",
    "nous",
    "profitez",
    "de",
    "-20%",
    "sur",
    "la",
    "collection",
    "ete",
    "a",
    "partir",
    "du",
    "12/07",
    "code",
    "PROMO",
    "valable",
    "jusqu'au",
    "dimanche",
    "magasin",
    "Paris",
    "Lyon",
    "rendez-vous",
    "le",
    "STOP",
    "36184",
    "merci",
    "client",
    "fidele",
    "offre",
    "exclusive",
    "livraison",
    "gratuite",
    "des",
    "50",
    "achat",
    "info:",
    "https://1mf.eu/AbCdEfG",
    "Madame",
    "Monsieur",
    "carte",
    "cadeau",
    "soldes",
]
EXTRAS = {
    "ext": ["€", "{", "}", "[", "]", "~", "|", "^", "\\"],
    "accent": ["ê", "â", "ç", "ô", "î", "û", "ë", "ï", "œ", "’", "«", "»"],
    "emoji": ["😀", "🎉", "❤️", "👍", "👍🏼", "🇫🇷", "👨‍👩‍👧", "🔥", "✨", "🛍️", "1️⃣"],
}


def make_messages(n: int, seed: int = 42) -> list[str]:
    rng = random.Random(seed)
    corpus = " ".join(rng.choice(WORDS) for _ in range(200_000))
    kinds = rng.choices(["gsm", "ext", "accent", "emoji"], weights=[45, 20, 20, 15], k=n)
    out = []
    for kind in kinds:
        length = rng.randint(20, 500)
        start = rng.randrange(0, len(corpus) - length)
        text = corpus[start : start + length]
        if kind != "gsm":
            for _ in range(rng.randint(1, 4)):
                pos = rng.randrange(0, len(text))
                text = text[:pos] + rng.choice(EXTRAS[kind]) + text[pos + 1 :]
        out.append(text)
    return out


def main(n: int = 1_000_000) -> None:
    t0 = time.perf_counter()
    texts = make_messages(n)
    print(f"generated {n:,} messages in {time.perf_counter() - t0:.1f} s")

    warm = texts[:2000]  # build the lazy tables (regex classes, property runs) once
    count_segments(warm)
    [count_one(t) for t in warm]

    t0 = time.perf_counter()
    plain = [naive(t) for t in texts]
    t_naive = time.perf_counter() - t0

    t0 = time.perf_counter()
    exact = [count_one(t) for t in texts]
    t_exact = time.perf_counter() - t0

    series = pd.Series(texts, dtype="string[pyarrow]")
    t0 = time.perf_counter()
    frame = count_segments(series)
    t_vec = time.perf_counter() - t0

    t0 = time.perf_counter()
    frame_list = count_segments(texts)
    t_list = time.perf_counter() - t0

    got = list(zip(frame["encoding"].astype(str), frame["length"].astype(int), frame["segments"].astype(int)))
    identical = got == exact and frame_list.equals(frame.reset_index(drop=True))
    differ = sum(p != e[2] for p, e in zip(plain, exact))
    mix = Counter((e, s) for e, _, s in exact)
    print("mix (encoding, segments):", dict(sorted(mix.items())))
    print(f"naive per-message loop (issue 17):   {t_naive:8.2f} s")
    print(f"exact per-message loop (count_one):  {t_exact:8.2f} s")
    print(
        f"count_segments(Series):              {t_vec:8.2f} s   {t_naive / t_vec:5.1f}x naive   {t_exact / t_vec:5.1f}x count_one"
    )
    print(
        f"count_segments(list):                {t_list:8.2f} s   {t_naive / t_list:5.1f}x naive   {t_exact / t_list:5.1f}x count_one"
    )
    print(f"identical to count_one: {identical}; naive's count differs on {differ:,} messages (a part boundary)")
    if not identical:
        raise SystemExit("count_segments and the per-message count disagree")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
