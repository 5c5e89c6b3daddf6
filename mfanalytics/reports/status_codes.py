"""The status codes of the Mediasflow API guide (section 3), as data.

Each code has the guide's French label, an English label, a group, and two
flags: ``is_final`` (the code will not change any more) and ``is_delivered``
(the SMS reached the handset). Codes the table does not know decode to the
group ``"unknown"``; they are never an error, because the platform may add
codes before this table learns them.

Examples
--------
>>> from mfanalytics import decode_status
>>> decode_status([16, 17, 31, 99])[["status", "status_group", "is_final"]]
                       status    status_group  is_final
0                   Delivered       delivered      True
1  Delivered + STOP requested  delivered_stop      True
2          Mobile unavailable     undelivered     False
3                     Unknown         unknown      <NA>
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["STATUS_GROUPS", "STATUS_TABLE", "decode_status", "status_table"]

#: Groups in the order plots and tables show them.
STATUS_GROUPS: tuple[str, ...] = (
    "delivered",
    "delivered_stop",
    "pending",
    "in_flight",
    "undelivered",
    "invalid_number",
    "rejected",
    "blocked",
    "not_sent",
    "unknown",
)

# code, French label (as in the guide), English label, group, is_final, is_delivered
_ROWS: tuple[tuple[int, str, str, str, bool, bool], ...] = (
    (1, "En cours de traitement", "Processing", "pending", False, False),
    (9, "En cours d'envoi", "Sending", "pending", False, False),
    (24, "Envoyé", "Sent", "in_flight", False, False),
    (10, "Posté", "Posted", "in_flight", False, False),
    (28, "Posté", "Posted", "in_flight", False, False),
    (16, "Délivré", "Delivered", "delivered", True, True),
    (21, "Délivré", "Delivered", "delivered", True, True),
    (17, "Délivré + STOP demandé", "Delivered + STOP requested", "delivered_stop", True, True),
    (20, "Non délivré", "Not delivered", "undelivered", True, False),
    (25, "Non délivré", "Not delivered", "undelivered", True, False),
    (22, "Message expiré", "Message expired", "undelivered", True, False),
    (31, "Mobile non disponible", "Mobile unavailable", "undelivered", False, False),
    (2, "Numéro mal formaté", "Badly formatted number", "invalid_number", True, False),
    (29, "Numéro non attribué", "Unallocated number", "invalid_number", True, False),
    (30, "Numéro non attribué", "Unallocated number", "invalid_number", True, False),
    (13, "Refus opérateur", "Refused by operator", "rejected", True, False),
    (27, "Rejet opérateur", "Rejected by operator", "rejected", True, False),
    (32, "SMS rejeté", "SMS rejected", "rejected", True, False),
    (26, "Erreur inconnue", "Unknown operator error", "rejected", True, False),
    (12, "Erreur de traitement", "Processing error", "rejected", True, False),
    (14, "Destinataire dans votre blacklist", "Recipient in your blacklist", "blocked", True, False),
    (15, "Destinataire dans notre blacklist globale", "Recipient in the global blacklist", "blocked", True, False),
    (18, "Destinataire dans votre blacklist client", "Recipient in your client's blacklist", "blocked", True, False),
    (3, "Destination non autorisée", "Destination not allowed", "not_sent", True, False),
    (4, "Doublons", "Duplicate", "not_sent", True, False),
    (5, "Erreur de personnalisation", "Personalisation error", "not_sent", True, False),
    (6, "Caractère UCS2 non autorisé", "UCS-2 character not allowed", "not_sent", True, False),
    (7, "Message trop long", "Message too long", "not_sent", True, False),
    (8, "Crédit insuffisant", "Insufficient credit", "not_sent", True, False),
    (19, "Tarif manquant", "Missing rate", "not_sent", True, False),
    (23, "Message supprimé", "Message deleted", "not_sent", True, False),
)


def status_table() -> pd.DataFrame:
    """Return the status table as a DataFrame indexed by code.

    Returns
    -------
    pandas.DataFrame
        Columns ``label_fr``, ``label_en``, ``group``, ``is_final``,
        ``is_delivered``; one row per code of the guide, sorted by code.

    Examples
    --------
    >>> from mfanalytics import status_table
    >>> status_table().loc[17, "label_fr"]
    'Délivré + STOP demandé'
    """
    frame = pd.DataFrame(_ROWS, columns=["code", "label_fr", "label_en", "group", "is_final", "is_delivered"])
    frame["group"] = pd.Categorical(frame["group"], categories=STATUS_GROUPS)
    frame["is_final"] = frame["is_final"].astype("boolean")
    frame["is_delivered"] = frame["is_delivered"].astype("boolean")
    return frame.set_index("code").sort_index()


#: The table, built once at import (pure data, no I/O).
STATUS_TABLE: pd.DataFrame = status_table()

_CODES = STATUS_TABLE.index.to_numpy(dtype=np.int64)
_LABELS = {
    "en": STATUS_TABLE["label_en"].tolist() + ["Unknown"],
    "fr": STATUS_TABLE["label_fr"].tolist() + ["Inconnu"],
}
_GROUP_CODES = np.append(STATUS_TABLE["group"].cat.codes.to_numpy(), STATUS_GROUPS.index("unknown"))
_FINAL = np.append(STATUS_TABLE["is_final"].to_numpy(dtype=bool), False)
_DELIVERED = np.append(STATUS_TABLE["is_delivered"].to_numpy(dtype=bool), False)


def decode_status(codes: Iterable[int] | pd.Series, *, lang: str = "en") -> pd.DataFrame:
    """Decode status codes, vectorised.

    Parameters
    ----------
    codes : iterable of int or pandas.Series
        Status codes; missing values and codes absent from the guide decode
        to the group ``"unknown"``.
    lang : {"en", "fr"}
        Language of the ``status`` label.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``codes`` (same index when a Series is given):
        ``status`` (category), ``status_group`` (category with every group of
        :data:`STATUS_GROUPS`), ``is_final`` and ``is_delivered`` (nullable
        booleans, NA for unknown codes).

    Examples
    --------
    >>> from mfanalytics import decode_status
    >>> decode_status([21, 14])["status_group"].tolist()
    ['delivered', 'blocked']
    """
    if lang not in _LABELS:
        raise ValueError(f"lang must be 'en' or 'fr', not {lang!r}")
    series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype="object")
    numeric = pd.to_numeric(series, errors="coerce").astype("Float64")
    values = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    pos = np.searchsorted(_CODES, np.nan_to_num(values, nan=-1).astype(np.int64))
    pos = np.clip(pos, 0, len(_CODES) - 1)
    known = (_CODES[pos] == values) & ~np.isnan(values)
    idx = np.where(known, pos, len(_CODES))
    labels = _LABELS[lang]
    status = pd.Categorical.from_codes(_label_codes(idx, labels), dtype=pd.CategoricalDtype(_unique(labels)))
    group = pd.Categorical.from_codes(_GROUP_CODES[idx], dtype=pd.CategoricalDtype(list(STATUS_GROUPS)))
    is_final = pd.array(_FINAL[idx], dtype="boolean")
    is_delivered = pd.array(_DELIVERED[idx], dtype="boolean")
    is_final[~known] = pd.NA
    is_delivered[~known] = pd.NA
    return pd.DataFrame(
        {
            "status": status,
            "status_group": group,
            "is_final": is_final,
            "is_delivered": is_delivered,
        },
        index=series.index,
    )


def _unique(labels: list[str]) -> list[str]:
    return list(dict.fromkeys(labels))


def _label_codes(idx: np.ndarray, labels: list[str]) -> np.ndarray:
    uniq = _unique(labels)
    mapping = np.array([uniq.index(label) for label in labels], dtype=np.int16)
    codes: np.ndarray = mapping[idx]
    return codes
