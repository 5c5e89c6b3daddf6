"""What a user can do about each non-delivery, and the words plots use, as data.

Everything here is plain data (no I/O, no pandas), in French and English,
keyed by the status codes of the guide's section 3 and by the groups of
:data:`mfanalytics.status_codes.STATUS_GROUPS`. :func:`mfanalytics.analysis.failure_reasons`
joins :data:`ADVICE` to the codes behind the non-deliveries of a report.

Examples
--------
>>> from mfanalytics.analysis.advice import ADVICE, advice_for
>>> ADVICE[14]["action"]
'remove_blacklisted'
>>> advice_for(999, lang="en")["action"]
'contact_support'
"""

from __future__ import annotations

__all__ = ["ADVICE", "ACTIONS", "GROUP_LABELS", "UNKNOWN_ADVICE", "advice_for"]

#: Short name of each action, with its label in both languages.
ACTIONS: dict[str, dict[str, str]] = {
    "clean_list": {"fr": "Nettoyer la liste", "en": "Clean the list"},
    "remove_number": {"fr": "Retirer le numéro", "en": "Remove the number"},
    "remove_blacklisted": {"fr": "Retirer les numéros blacklistés", "en": "Remove blacklisted numbers"},
    "deduplicate": {"fr": "Dédoublonner la liste", "en": "Deduplicate the list"},
    "fix_personalisation": {"fr": "Corriger la personnalisation", "en": "Fix the personalisation"},
    "switch_ucs2": {"fr": "Passer en UCS-2 ou translittérer", "en": "Switch to UCS-2 or transliterate"},
    "shorten_message": {"fr": "Raccourcir le message", "en": "Shorten the message"},
    "buy_credit": {"fr": "Acheter du crédit", "en": "Buy credit"},
    "open_destination": {"fr": "Ouvrir la destination", "en": "Open the destination"},
    "check_sender_content": {"fr": "Vérifier l'émetteur et le contenu", "en": "Check the sender and content"},
    "retry_later": {"fr": "Renvoyer plus tard", "en": "Retry later"},
    "wait": {"fr": "Attendre", "en": "Wait"},
    "contact_support": {"fr": "Contacter le support", "en": "Contact support"},
}

_A = tuple[str, str, str]  # action, French advice, English advice

_BY_CODE: dict[int, _A] = {
    2: (
        "clean_list",
        (
            "Numéro mal formaté : nettoyez la liste (format international, "
            "mfanalytics.clean_recipients) avant le prochain envoi."
        ),
        (
            "Badly formatted number: clean the list (international format, "
            "mfanalytics.clean_recipients) before the next send."
        ),
    ),
    3: (
        "open_destination",
        (
            "Destination non autorisée sur le compte : demandez son ouverture à Mediasflow "
            "ou retirez ces pays de la liste."
        ),
        "Destination not allowed on the account: ask Mediasflow to open it or remove these countries from the list.",
    ),
    4: (
        "deduplicate",
        "Doublon : dédoublonnez la liste par numéro avant le dépôt.",
        "Duplicate: deduplicate the list by mobile before uploading it.",
    ),
    5: (
        "fix_personalisation",
        (
            "Erreur de personnalisation : vérifiez que chaque ${CHAMP} existe dans la liste "
            "et qu'il a une valeur ou un defaultForHeader."
        ),
        "Personalisation error: check that every ${FIELD} exists in the list and has a value or a defaultForHeader.",
    ),
    6: (
        "switch_ucs2",
        (
            "Caractère UCS-2 refusé : autorisez l'UCS-2 pour la campagne ou translittérez "
            "en GSM-7 (autoREPLACETOGSM7, emojis retirés)."
        ),
        (
            "UCS-2 character refused: allow UCS-2 for the campaign or transliterate "
            "to GSM-7 (autoREPLACETOGSM7, emojis removed)."
        ),
    ),
    7: (
        "shorten_message",
        (
            "Message trop long : raccourcissez-le (160 caractères GSM-7, 70 en UCS-2 "
            "par SMS) ou autorisez plus de segments."
        ),
        "Message too long: shorten it (160 GSM-7 or 70 UCS-2 characters per SMS) or allow more segments.",
    ),
    8: (
        "buy_credit",
        "Crédit insuffisant : rechargez le compte puis renvoyez à ces destinataires.",
        "Insufficient credit: top up the account, then send again to these recipients.",
    ),
    12: (
        "retry_later",
        "Erreur de traitement : renvoyez ; si elle persiste, contactez le support.",
        "Processing error: send again; if it persists, contact support.",
    ),
    13: (
        "remove_number",
        "Refus opérateur : le numéro est refusé ; retirez-le s'il échoue encore.",
        "Refused by the operator: remove the number if it fails again.",
    ),
    14: (
        "remove_blacklisted",
        "Dans votre blacklist (STOP) : retirez ces numéros de vos listes, ils ne veulent plus de vos messages.",
        "In your blacklist (STOP): remove these numbers from your lists, they no longer want your messages.",
    ),
    15: (
        "remove_blacklisted",
        "Dans la blacklist globale Mediasflow : retirez ces numéros de vos listes.",
        "In the Mediasflow global blacklist: remove these numbers from your lists.",
    ),
    18: (
        "remove_blacklisted",
        "Dans la blacklist de votre client : retirez ces numéros de vos listes.",
        "In your client's blacklist: remove these numbers from your lists.",
    ),
    19: (
        "open_destination",
        "Tarif manquant pour la destination : demandez à Mediasflow d'ajouter le tarif.",
        "No rate for the destination: ask Mediasflow to add one.",
    ),
    20: (
        "retry_later",
        "Non délivré par l'opérateur : renvoyez plus tard ; retirez les numéros qui échouent de façon répétée.",
        "Not delivered by the operator: send again later; remove numbers that fail repeatedly.",
    ),
    22: (
        "retry_later",
        "Message expiré (mobile éteint plus de 48 h) : renvoyez plus tard.",
        "Message expired (handset off for more than 48 h): send again later.",
    ),
    23: (
        "retry_later",
        "Message supprimé avant envoi : vérifiez si la campagne a été annulée, puis renvoyez.",
        "Message deleted before sending: check whether the campaign was cancelled, then send again.",
    ),
    26: (
        "contact_support",
        "Erreur opérateur inconnue : renvoyez ; contactez le support si elle se répète.",
        "Unknown operator error: send again; contact support if it repeats.",
    ),
    27: (
        "check_sender_content",
        "Rejet opérateur : vérifiez l'émetteur et le contenu (liens raccourcis, mots pouvant passer pour du spam).",
        "Rejected by the operator: check the sender and the content (short links, spam-like words).",
    ),
    29: (
        "remove_number",
        "Numéro non attribué : retirez-le de la liste.",
        "Unallocated number: remove it from the list.",
    ),
    31: (
        "wait",
        "Mobile éteint ou hors réseau : la plateforme réessaie, attendez le statut final.",
        "Handset off or out of coverage: the platform retries, wait for the final status.",
    ),
    32: (
        "check_sender_content",
        (
            "SMS rejeté (paramètre non conforme) : vérifiez l'émetteur (3 à 11 caractères "
            "alphanumériques), le contenu et l'encodage."
        ),
        (
            "SMS rejected (non-compliant parameter): check the sender (3 to 11 alphanumeric "
            "characters), the content and the encoding."
        ),
    ),
}
_BY_CODE[25] = _BY_CODE[20]
_BY_CODE[30] = _BY_CODE[29]


def _entry(action: str, fr: str, en: str) -> dict[str, str]:
    return {"action": action, "fr": fr, "en": en}


#: Advice for each code a non-delivery can carry: ``{"action", "fr", "en"}``.
ADVICE: dict[int, dict[str, str]] = {code: _entry(*a) for code, a in sorted(_BY_CODE.items())}

#: Advice for a code this toolkit does not know.
UNKNOWN_ADVICE: dict[str, str] = _entry(
    "contact_support",
    "Code inconnu de mfanalytics : communiquez-le au support Mediasflow.",
    "Code unknown to mfanalytics: give it to Mediasflow support.",
)

#: Label of each status group, in both languages (plots, tables, the HTML report).
GROUP_LABELS: dict[str, dict[str, str]] = {
    "delivered": {"fr": "Délivré", "en": "Delivered"},
    "delivered_stop": {"fr": "Délivré + STOP", "en": "Delivered + STOP"},
    "pending": {"fr": "En attente", "en": "Pending"},
    "in_flight": {"fr": "En cours d'acheminement", "en": "In flight"},
    "undelivered": {"fr": "Non délivré", "en": "Undelivered"},
    "invalid_number": {"fr": "Numéro invalide", "en": "Invalid number"},
    "rejected": {"fr": "Rejeté", "en": "Rejected"},
    "blocked": {"fr": "Bloqué (blacklist)", "en": "Blocked (blacklist)"},
    "not_sent": {"fr": "Non envoyé", "en": "Not sent"},
    "unknown": {"fr": "Inconnu", "en": "Unknown"},
}


def advice_for(code: int, *, lang: str = "fr") -> dict[str, str]:
    """Return the advice for one status code.

    Parameters
    ----------
    code : int
        A status code; codes without advice get :data:`UNKNOWN_ADVICE`.
    lang : {"fr", "en"}
        Language of the ``text`` and ``action_label`` entries.

    Returns
    -------
    dict
        ``action`` (short name), ``action_label`` and ``text`` in ``lang``.

    Examples
    --------
    >>> advice_for(8, lang="en")["action_label"]
    'Buy credit'
    """
    if lang not in ("fr", "en"):
        from mfanalytics.errors import ValidationError

        raise ValidationError(f"lang must be 'fr' or 'en', not {lang!r}", rule="lang", field="lang")
    entry = ADVICE.get(int(code), UNKNOWN_ADVICE)
    return {
        "action": entry["action"],
        "action_label": ACTIONS[entry["action"]][lang],
        "text": entry[lang],
    }
