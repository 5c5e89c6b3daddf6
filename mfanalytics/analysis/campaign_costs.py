"""Credits per campaign of a report of several campaigns (a period), each from its own message.

A period report carries no message text, and the credits of a line are the
segments of *its* message after personalisation
(:func:`mfanalytics.cost_breakdown`). :func:`campaign_costs` takes each
campaign's message from the API's answer when it was prepared or sent
(``client.send_campaign(...)``: the guide has no route that returns a past
campaign's message) or as typed, and says plainly what it does not know: a
campaign without a message has unknown credits (NA, never 0) and the total
leaves it out; a message whose merge fields the report lacks is counted with
them empty, a lower bound. :class:`mfanalytics.widgets.ReportExplorer` shows it.

Examples
--------
>>> from mfanalytics.analysis.campaign_costs import campaign_costs
>>> costs = campaign_costs(report, {1001: "Bonjour ${PRENOM}"}, price_per_sms=0.045)
>>> int(costs.total["credits"]), costs.excluded
(300, [])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.cost import cost_breakdown, message_of, missing_fields
from mfanalytics.analysis.facts import ReportFacts, facts_of, require
from mfanalytics.errors import ValidationError

__all__ = ["CampaignCosts", "campaign_costs", "messages_by_campaign"]


def messages_by_campaign(campaigns: Any) -> dict[int, Any]:
    """Campaign id -> message, from what the API answered or what a user typed.

    ``campaigns`` is a campaign answer (``client.send_campaign(...)``, with its
    ``id`` and ``message``), an iterable of those, or a mapping of campaign id
    to a text, a :class:`Message` or an answer. None: no campaign.

    Examples
    --------
    >>> sorted(messages_by_campaign([{"id": 7, "message": "Bonjour"}, {"id": 9, "message": "Salut"}]))
    [7, 9]
    >>> messages_by_campaign({"12": "Bonjour ${PRENOM}"})
    {12: 'Bonjour ${PRENOM}'}
    """
    if campaigns is None:
        return {}
    if isinstance(campaigns, Mapping) and "message" in campaigns:
        campaigns = [campaigns]
    if isinstance(campaigns, Mapping):
        pairs = list(campaigns.items())
    elif isinstance(campaigns, Iterable) and not isinstance(campaigns, (str, bytes)):
        pairs = []
        for answer in campaigns:
            if not (isinstance(answer, Mapping) and "id" in answer and "message" in answer):
                raise ValidationError(
                    f"a campaign is the API's answer, with its id and message, not {type(answer).__name__}",
                    rule="campaign-answer",
                    field="campaigns",
                )
            pairs.append((answer["id"], answer))
    else:
        raise ValidationError(
            f"campaigns must be campaign answers or a mapping of campaign id to message, not {type(campaigns).__name__}",
            rule="campaigns-type",
            field="campaigns",
        )
    out: dict[int, Any] = {}
    for key, value in pairs:
        text = str(key).strip()
        if not text.isdigit():
            raise ValidationError(f"a campaign id is a number, not {key!r}", rule="campaign-id", field="campaigns")
        message_of(value)  # refused here, with the campaign it belongs to, rather than at the first render
        out[int(text)] = value
    return out


@dataclass
class CampaignCosts:
    """What :func:`campaign_costs` returns: the credits of each campaign, known or not, and their total.

    Attributes
    ----------
    table : pandas.DataFrame
        Per campaign id: ``basis`` (``"exact"``: rendered per recipient from the
        message; ``"lower bound"``: merge fields of the message are not in the
        report, counted empty; ``"estimate"``: renderer logic not evaluated;
        ``"unknown"``: no message text, so no credits), ``missing_fields``,
        ``posted``, ``segments_min``, ``segments_max``, ``credits`` (NA when
        unknown), ``delivered``, ``clicked``, ``stops``, ``credits_per_delivered``
        / ``_click`` / ``_stop``, ``cost`` and ``cost_per_*`` (NA without a price).
    total : pandas.Series
        The same figures over the campaigns whose credits are known (numerators
        and denominators alike), ``campaigns`` (how many), ``basis``.
    excluded : list of int
        The campaigns left out of :attr:`total` (message unknown) and
        ``excluded_posted``, their posted recipients, in :attr:`total`.
    price_per_sms : float or None
    unattributed : int
        Lines posted with no campaign id (their message is unknown): left out
        of :attr:`total` too, and counted in ``excluded_posted``.
    """

    table: pd.DataFrame
    total: pd.Series
    excluded: list[int]
    price_per_sms: float | None
    unattributed: int = 0

    @property
    def lower_bound(self) -> bool:
        """True when some credits of the total are a lower bound (merge fields not in the report)."""
        return bool(self.total["basis"] == "lower bound")


_PER = (("delivered", "delivered"), ("click", "clicked"), ("stop", "stops"))


def _per_unit(row: pd.DataFrame, price: float) -> pd.DataFrame:
    row["cost"] = row["credits"].astype("Float64") * price if np.isfinite(price) else pd.NA
    for what, col in _PER:
        den = row[col].where(row[col] > 0).astype("Float64")
        row[f"credits_per_{what}"] = row["credits"].astype("Float64") / den
        row[f"cost_per_{what}"] = row["cost"].astype("Float64") / den
    return row


def campaign_costs(
    report: pd.DataFrame | ReportFacts, campaigns: Any = None, *, price_per_sms: float | None = None
) -> CampaignCosts:
    """Credits per campaign of a report of several campaigns (a period), and in total.

    A period report carries no message text, and the credits of a line are the
    segments of *its* message after personalisation: each campaign needs its
    message, from the API's answer when it was prepared or sent
    (``client.send_campaign(...)``) or as typed. A campaign without one has
    unknown credits (NA, never 0) and the total leaves it out, saying so.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame with ``campaign_id`` (e.g. ``client.get_reports(...)``).
    campaigns : optional
        As :func:`messages_by_campaign` takes them.
    price_per_sms : float, optional

    Returns
    -------
    CampaignCosts

    Examples
    --------
    >>> costs = campaign_costs(report, {1001: "Bonjour ${PRENOM}"})
    >>> costs.table.loc[1001, "basis"], int(costs.table.loc[1001, "credits"])
    ('exact', 300)
    >>> campaign_costs(report).table.loc[1001, ["basis", "credits"]].isna().tolist()  # no message: unknown
    [False, True]
    """
    facts = facts_of(report)
    require(facts.frame, ["campaign_id"])
    known = messages_by_campaign(campaigns)
    cost = cost_breakdown(facts, message=known, price_per_sms=price_per_sms, by="campaign_id")
    frame = facts.frame
    ids = frame["campaign_id"]
    table = cost.table[cost.table.index.notna()].copy()
    table.index = table.index.astype("int64")
    table.index.name = "campaign_id"
    seg = cost.segments.reindex(table.index)
    unknown = table["posted_no_message"] > 0
    basis = np.select(
        [unknown, table["posted_estimate"] > 0, table["posted_lower_bound"] > 0],
        ["unknown", "estimate", "lower bound"],
        "exact",
    )
    columns = frame.columns
    out = pd.DataFrame(
        {
            "basis": basis,
            "missing_fields": [
                ", ".join(missing_fields(message_of(known[c]), columns)) if c in known else "" for c in table.index
            ],
            "posted": table["posted"],
            "segments_min": seg["min"].astype("Int64") if "min" in seg else pd.NA,
            "segments_max": seg["max"].astype("Int64") if "max" in seg else pd.NA,
            "credits": table["credits"].astype("Int64").mask(unknown),
            "delivered": table["delivered"],
            "clicked": table["clicked"],
            "stops": table["stops"],
        },
        index=table.index,
    )
    out.loc[unknown, ["segments_min", "segments_max"]] = pd.NA
    price = np.nan if price_per_sms is None else float(price_per_sms)
    out = _per_unit(out, price)
    counted = out[~unknown]
    sums = counted[["posted", "credits", "delivered", "clicked", "stops"]].sum().astype("int64")
    total = _per_unit(sums.to_frame().T, price).iloc[0].astype(object)
    total["campaigns"] = len(counted)
    total["excluded_posted"] = int(out.loc[unknown, "posted"].sum())
    total["basis"] = next((b for b in ("estimate", "lower bound") if (counted["basis"] == b).any()), "exact")
    unattributed = 0
    if int(ids.isna().sum()):  # lines without a campaign id: their campaign, hence their message, is unknown
        unattributed = int(cost.table.loc[cost.table.index.isna(), "posted"].sum())
        total["excluded_posted"] += unattributed
    return CampaignCosts(
        table=out,
        total=total,
        excluded=[int(c) for c in out.index[unknown]],
        price_per_sms=price_per_sms,
        unattributed=unattributed,
    )
