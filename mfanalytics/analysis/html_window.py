"""The HTML report's "sending rules" section: who received marketing SMS outside the window.

Marketing SMS may reach people Monday to Saturday, 08:00-20:00, outside public
holidays, in the recipient's own time (see :mod:`mfanalytics.messages.compliance`).
The section counts the recipients of marketing campaigns whose message was
delivered outside that window, after hours or on a closed day, per campaign
when there are several.
"""

from __future__ import annotations

from collections.abc import Mapping

from mfanalytics.analysis.facts import ReportFacts
from mfanalytics.analysis.html_parts import Section, e, table
from mfanalytics.analysis.plot_style import fmt_int
from mfanalytics.messages.compliance import STRICT_WINDOW, SendingWindow, received_outside_window

__all__ = ["window_section"]

_WINDOW_WORDS = {
    "fr": "du lundi au samedi, 8 h - 20 h, hors jours fériés, à l'heure locale de chaque destinataire",
    "en": "Monday to Saturday, 08:00-20:00, no public holidays, in each recipient's local time",
}
_T = {
    "fr": {
        "title": "Règles d'envoi",
        "none": "Aucun des {n} destinataires de campagnes marketing ne l'a reçue hors de la plage autorisée ({w}).",
        "some": "{k} des {n} destinataires de campagnes marketing l'ont reçue hors de la plage autorisée "
        "({w}) : {h} hors des heures, {d} un dimanche ou un jour férié.",
        "types": "Les campagnes sont comptées comme marketing (le type par défaut de l'API) sauf indication "
        "contraire (campaign_types).",
        "campaign": "Campagne",
        "delivered": "Délivrés",
        "outside": "Hors plage",
        "hours": "Hors heures",
        "closed": "Dimanche ou férié",
    },
    "en": {
        "title": "Sending rules",
        "none": "None of the {n} recipients of marketing campaigns received them outside the allowed window ({w}).",
        "some": "{k} of the {n} recipients of marketing campaigns received them outside the allowed window "
        "({w}): {h} after hours, {d} on a Sunday or a public holiday.",
        "types": "Campaigns count as marketing (the API's default type) unless campaign_types says otherwise.",
        "campaign": "Campaign",
        "delivered": "Delivered",
        "outside": "Outside the window",
        "hours": "After hours",
        "closed": "Sunday or holiday",
    },
}


def window_section(
    facts: ReportFacts,
    lang: str,
    *,
    campaign_types: Mapping[int, str] | None = None,
    window: SendingWindow = STRICT_WINDOW,
) -> Section | None:
    """The section, or None when the report has no delivered line of a marketing campaign."""
    frame = facts.frame
    if not {"campaign_id", "mobile", "delivered_at"} <= set(frame.columns) or not len(frame):
        return None
    # the countries of the facts: computed once for the whole report (the countries section reads them too)
    out = received_outside_window(frame, campaign_types=campaign_types, window=window, regions=facts.country)
    n = int(out["delivered"].sum())
    if not n:
        return None
    t = _T[lang]
    k = int(out["outside_window"].sum())
    words = _WINDOW_WORDS[lang] if window == STRICT_WINDOW else window.describe()
    if k == 0:
        said = t["none"].format(n=fmt_int(n, lang), w=words)
    else:
        said = t["some"].format(
            k=fmt_int(k, lang),
            n=fmt_int(n, lang),
            w=words,
            h=fmt_int(int(out["outside_hours"].sum()), lang),
            d=fmt_int(int(out["on_closed_day"].sum()), lang),
        )
    body = f'<p class="{"warn" if k else "good"}">{e(said)}</p>'
    shown = out[out["outside_window"] > 0]
    if len(out) > 1 and len(shown):
        count = lambda v: e(fmt_int(v, lang))  # noqa: E731
        body += table(
            shown,
            [
                ("delivered", t["delivered"], count, True),
                ("outside_window", t["outside"], count, True),
                ("outside_hours", t["hours"], count, True),
                ("on_closed_day", t["closed"], count, True),
            ],
            index=(t["campaign"], lambda v: e(str(v))),
        )
    if campaign_types is None:
        body += f'<p class="note">{e(t["types"])}</p>'
    return Section("sending-rules", t["title"], body)
