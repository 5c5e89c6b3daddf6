"""What a campaign costs before it is sent: :func:`estimate_credits` and its :class:`CreditEstimate`
(one credit per SMS part per sendable recipient).

Examples
--------
>>> estimate_credits("Bonjour ${PRENOM}", [{"PRENOM": "Zoé"}, {"PRENOM": "Léa"}])
CreditEstimate(2 recipients · 2 sendable · 2 credits · GSM-7 · 2 × 1 SMS)
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

import numpy as np

from mfanalytics.errors import MessageError, ValidationError
from mfanalytics.messages.segments import max_length

if TYPE_CHECKING:  # the message module re-exports this one's names: it is imported when called
    from mfanalytics.messages.message import Message

__all__ = ["CreditEstimate", "estimate_credits"]


@dataclass(frozen=True, repr=False)
class CreditEstimate:
    """What a campaign would cost: one credit per SMS segment per sendable recipient."""

    recipients: int
    sendable: int
    credits: int
    segments: dict[int, int] = dc_field(default_factory=dict)  # segments -> recipients
    errors: dict[int, int] = dc_field(default_factory=dict)  # error code -> recipients
    encoding: str = "GSM-7"  # "GSM-7", "UCS-2" or "mixed" (per recipient)
    estimate_reason: str | None = None  # why the figures are estimates (renderer logic), or None

    @property
    def is_estimate(self) -> bool:
        """True when the message uses renderer logic that was not evaluated."""
        return self.estimate_reason is not None

    def __repr__(self) -> str:
        parts = [
            f"{self.recipients:,} recipients",
            f"{self.sendable:,} sendable",
            f"{self.credits:,} credits",
            self.encoding,
        ]
        if self.estimate_reason:
            parts.append("estimate: renderer logic not evaluated")
        if self.segments:
            parts.append(", ".join(f"{c:,} × {s} SMS" for s, c in self.segments.items()))
        if self.errors:
            parts.append("errors " + ", ".join(f"code {k}: {v:,}" for k, v in self.errors.items()))
        return "CreditEstimate(" + " · ".join(parts) + ")"


def estimate_credits(message: Message | str, recipients: Any, *, max_segments: int = 1) -> CreditEstimate:
    """Estimate the credits a campaign costs before sending it.

    Parameters
    ----------
    message : Message or str
    recipients : int, DataFrame, list of dict, or the result of clean_recipients
        With a count only, every recipient gets the message as counted by
        :class:`Message` (fields as their default, empty without: a lower bound).
    max_segments : int
        The account's maximum number of SMS per message (1 to 6).

    Examples
    --------
    >>> estimate_credits("a" * 200, 1000, max_segments=2)
    CreditEstimate(1,000 recipients · 1,000 sendable · 2,000 credits · GSM-7 · 1,000 × 2 SMS)
    >>> estimate_credits("a" * 200, 1000)
    CreditEstimate(1,000 recipients · 0 sendable · 0 credits · GSM-7 · errors code 7: 1,000)
    """
    from mfanalytics.messages.message import Message

    msg = message if isinstance(message, Message) else Message(message)
    max_length(msg.encoding, max_segments)
    if isinstance(recipients, (int, np.integer)) and not isinstance(recipients, bool):
        n = int(recipients)
        if n < 0:
            raise ValidationError(
                f"the number of recipients cannot be negative ({n})", rule="recipients", field="recipients"
            )
        try:
            msg.check(max_segments=max_segments)
        except MessageError as exc:
            if exc.rule == "empty":
                raise
            code = 6 if exc.rule == "non-gsm-characters" else 7
            return CreditEstimate(n, 0, 0, {}, {code: n} if n else {}, msg.encoding, msg.estimate_reason)
        return CreditEstimate(
            n, n, n * msg.segments, {msg.segments: n} if n else {}, {}, msg.encoding, msg.estimate_reason
        )
    rendered = msg.render(recipients, max_segments=max_segments)
    ok = rendered["error_code"].isna().to_numpy()
    segs = rendered["segments"].to_numpy(dtype=np.int64)[ok]
    encs = set(rendered["encoding"][ok].astype(str).unique())
    per = np.unique(segs, return_counts=True)
    errs = np.unique(rendered["error_code"].dropna().to_numpy(dtype=np.int64), return_counts=True)
    return CreditEstimate(
        recipients=len(rendered),
        sendable=int(ok.sum()),
        credits=int(segs.sum()),
        segments={int(k): int(v) for k, v in zip(*per)},
        errors={int(k): int(v) for k, v in zip(*errs)},
        encoding=encs.pop() if len(encs) == 1 else ("mixed" if encs else msg.encoding),
        estimate_reason=msg.estimate_reason,
    )
