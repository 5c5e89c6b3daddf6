"""The Mediasflow API client: one method per endpoint of the guide.

Sending is two-phase by default: :meth:`Client.send_campaign` prepares the
campaign (``startNow=false``, safe to retry: an extra DRAFT sends nothing),
then injects that campaign id (safe to retry too: a second inject of a
campaign that is no longer a DRAFT answers 409, which on a retry means the
first attempt went through). A one-shot ``startNow=true`` request is never
retried once it may have reached the server.

Examples
--------
>>> import mfanalytics
>>> with mfanalytics.sandbox(seed=0, start="2026-03-03T09:00:00Z") as sb:  # a Tuesday, 10:00 in Paris
...     client = sb.client()
...     campaign = client.send_campaign("Bonjour ${PRENOM}, -20% ce samedi ! STOP 36184", recipients=[
...         {"mobile": "0612345678", "PRENOM": "Ana"}], sender="MaMarque")
...     campaign.status
'INJECTED'

A marketing message without its STOP mention, or sent on a Sunday, is
refused before anything leaves (see :meth:`Client.check_compliance`); here on
Sunday 8 March:

>>> with mfanalytics.sandbox(seed=0, start="2026-03-08T09:00:00Z") as sb:  # doctest: +ELLIPSIS
...     sb.client().send_campaign("Bonjour, -20% !", recipients=["0612345678"])
Traceback (most recent call last):
...
mfanalytics.errors.ComplianceError: Nothing was sent. This marketing message has no STOP mention. ...
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import requests

from mfanalytics.api.answers import Campaign
from mfanalytics.api.answers import as_secret as _as_secret
from mfanalytics.api.answers import campaign_of as _campaign
from mfanalytics.api.answers import positive_number as _positive
from mfanalytics.api.payloads import recipient_payload
from mfanalytics.api.retries import RetryPolicy, SendSafety
from mfanalytics.api.routes import Routes
from mfanalytics.api.transport import Transport
from mfanalytics.api.urls import check_base_url
from mfanalytics.errors import (
    AmbiguousSendError,
    InvalidRequestError,
    MediasflowError,
    ValidationError,
)

__all__ = ["Campaign", "Client", "DEFAULT_BASE_URL"]

DEFAULT_BASE_URL = "https://app.mediasflow.com/api/v1"

# Python option name -> the API's parameter name (guide, section 2.1).
_OPTIONS = {
    "campaign_name": "campaignName",
    "sender": "sender",
    "type_select": "typeSelect",
    "schedule_on": "scheduleOn",
    "renderer": "renderer",
    "defaults": "defaultForHeader",
    "allow_ucs2": "allowUCS2",
    "auto_replace_emoji": "autoREPLACEEMOJI",
    "auto_replace_gsm7": "autoREPLACETOGSM7",
    "check_duplicate": "checkDuplicate",
    "billing_code": "billingCode",
    "tiny_list": "tinyList",
    "brand": "brand",
    "user_owner_id": "userOwnerID",
}


class Client(Routes):
    """A connection to the Mediasflow API (or to the local sandbox).

    Parameters
    ----------
    base_url : str
        API root. The sandbox's is ``sb.url``.
    username, password : str, optional
        Credentials: the client logs in on first use, and once more if the
        token expires.
    token : str, optional
        A Bearer token pasted from the Swagger page (with or without the word
        ``Bearer``), instead of credentials.
    timeout : float
        Seconds for connecting and for each read. Always on.
    max_retries : int, optional
        Retries of a request that is safe to retry. When given it replaces
        ``policy.max_retries``; by default the policy's (3) applies.
    session : requests.Session, optional
        Injected session (the test seam); one is created otherwise.
    login_path : str
        Path of the login route under ``base_url``.
    max_segments : int, optional
        The account's longest message, in SMS parts (1 = 160 GSM-7 / 70
        UCS-2 characters, up to 6). Messages are checked against it locally.
        Default: the account's own maximum when the login answer gives it
        (``maxSegments``, as the sandbox does), else the guide's default, 1.
    region : str
        Region used to read national numbers in recipient lists.
    policy : RetryPolicy, optional
        Backoff settings (injectable sleep and jitter for tests).
    body_encoding : {"json", "form"}
        How POST bodies carry their JSON structures.
    now : callable, optional
        Returns the current time for local ``schedule_on`` checks; the
        sandbox passes its simulated clock. Default: the system clock.
    deadline : float
        Seconds one attempt may take from sending to the last byte of the
        answer, however slowly the server sends its headers or its body
        (default 300). Past it the request fails like a timeout (:class:`APIConnectionError`, or
        :class:`AmbiguousSendError` for a request that may have sent SMS).
    allow_insecure_http : bool
        Accept ``http://`` to a host that is not loopback (the password and
        token then travel in clear). Off by default: such a ``base_url`` is
        refused (rule ``insecure-http``). A ``base_url`` with
        ``user:password@`` is always refused (rule ``url-credentials``).

    Notes
    -----
    Redirects are never followed: credentials stay on the host of
    ``base_url``, and a 3xx answer raises an error naming its ``Location``.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 30,
        max_retries: int | None = None,
        session: requests.Session | None = None,
        login_path: str = "/auth/login",
        max_segments: int | None = None,
        region: str = "FR",
        policy: RetryPolicy | None = None,
        body_encoding: str = "json",
        now: Callable[[], datetime] | None = None,
        deadline: float = 300.0,
        allow_insecure_http: bool = False,
    ) -> None:
        # mask the credentials first: no frame of a failed construction holds them in clear
        secret_password = _as_secret(password)
        secret_token = _as_secret(token, strip=True) if token else None
        password = token = None
        if secret_token is None and (username is None or secret_password is None):
            raise ValidationError("Give username and password, or a token.", rule="credentials", field="username")
        if not _positive(timeout):
            raise ValidationError("timeout must be a positive number of seconds.", rule="timeout", field="timeout")
        if not _positive(deadline):
            raise ValidationError("deadline must be a positive number of seconds.", rule="deadline", field="deadline")
        policy = policy or RetryPolicy()
        if max_retries is not None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise ValidationError("max_retries must be an integer >= 0.", rule="max-retries", field="max_retries")
            policy = dataclasses.replace(policy, max_retries=max_retries)
        try:
            base_url = check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        except ValidationError:
            del base_url  # it may carry user:password@: not in this frame's locals
            raise
        self.username = username
        self._password = secret_password
        self._token = secret_token
        self.login_path = login_path
        self.max_segments = 1 if max_segments is None else max_segments
        self._max_from_account = max_segments is None
        self.region = region
        self._owns_session = session is None
        self._transport = Transport(
            base_url,
            session=session or requests.Session(),
            timeout=timeout,
            policy=policy,
            body_encoding=body_encoding,
            deadline=deadline,
        )
        self._closers: list[Any] = []
        self._now = now
        #: The embedded sandbox this client talks to, when it came from connect().
        self.sandbox: Any = None

    # -- construction -----------------------------------------------------
    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """A client from ``MEDIASFLOW_BASE_URL``, ``MEDIASFLOW_USERNAME``,
        ``MEDIASFLOW_PASSWORD`` and ``MEDIASFLOW_TOKEN``, read now.

        Raises
        ------
        ValidationError
            When neither a token nor a username and password are set.
        """
        # no local holds os.environ or a secret in clear (traceback locals are saved by notebooks)
        values: dict[str, Any] = {
            "base_url": os.environ.get("MEDIASFLOW_BASE_URL") or DEFAULT_BASE_URL,
            "username": os.environ.get("MEDIASFLOW_USERNAME") or None,
            "password": _as_secret(os.environ.get("MEDIASFLOW_PASSWORD") or None),
            "token": _as_secret(os.environ.get("MEDIASFLOW_TOKEN") or None, strip=True),
        }
        if not values["token"] and not (values["username"] and values["password"]):
            raise ValidationError(
                "No Mediasflow credentials in the environment: set MEDIASFLOW_USERNAME and "
                "MEDIASFLOW_PASSWORD, or MEDIASFLOW_TOKEN.",
                rule="credentials",
                field="MEDIASFLOW_USERNAME",
            )
        values.update(kwargs)
        return cls(**values)

    # -- campaigns --------------------------------------------------------
    def _campaign_payload(self, msg: str, recipients: Any, list_id: Any, options: Mapping[str, Any]) -> dict[str, Any]:
        from mfanalytics.messages import campaign_rules
        from mfanalytics.messages import message as sms

        unknown = set(options) - set(_OPTIONS)
        if unknown:
            raise TypeError(f"unknown campaign option(s): {', '.join(sorted(unknown))}; known: {', '.join(_OPTIONS)}")
        if recipients is None and list_id is None:
            raise ValidationError("Give recipients or a list_id.", rule="no-recipients", field="recipients")
        message = sms.Message(
            msg,
            allow_ucs2=bool(options.get("allow_ucs2", False)),
            auto_replace_gsm7=bool(options.get("auto_replace_gsm7", False)),
            auto_replace_emoji=bool(options.get("auto_replace_emoji", False)),
            renderer=options.get("renderer") or "BASIC",
            defaults=options.get("defaults"),
        )
        try:
            message.check(max_segments=self.max_segments)
        except MediasflowError as exc:
            if (
                getattr(exc, "rule", None) != "too-long"
                or not self._max_from_account
                or self._token is not None
                or self._password is None
            ):
                raise
            self.login()  # the account's maximum comes with the login answer
            message.check(max_segments=self.max_segments)
        campaign_rules.validate_tiny_list(options.get("tiny_list"), tracks=message.tracks)
        payload: dict[str, Any] = {"msg": msg}
        for name, value in options.items():
            if value is None:
                continue
            if name == "sender":
                value = campaign_rules.validate_sender(value, type_select=options.get("type_select") or "MKG")
            elif name == "schedule_on":
                value = campaign_rules.validate_schedule(value, now=self._now() if self._now else None)
            elif name == "check_duplicate":
                value = "TRUE" if value else "FALSE"
            if value is not None:
                payload[_OPTIONS[name]] = value
        if recipients is not None:
            payload["listRecipient"] = recipient_payload(recipients, region=self.region)
        if list_id is not None:
            payload["listsId"] = [int(i) for i in ([list_id] if isinstance(list_id, (int, str)) else list_id)]
        return payload

    def prepare_campaign(self, msg: str, *, recipients: Any = None, list_id: Any = None, **options: Any) -> Campaign:
        """Prepare a campaign without sending it (``startNow=false``).

        The answer is a DRAFT with what the platform counted (valid,
        blacklisted, duplicates, credits). Nothing is sent; retrying is safe.

        Parameters
        ----------
        msg : str
            The message, with ``${FIELD}`` personalisation.
        recipients : list of str, list of dict, DataFrame or CleanResult
            Who receives it; extra columns become personalisation fields.
        list_id : int or list of int
            Lists uploaded with :meth:`upload_list`.
        **options
            ``sender``, ``type_select``, ``schedule_on`` (datetime),
            ``campaign_name``, ``allow_ucs2``, ``auto_replace_gsm7``,
            ``auto_replace_emoji``, ``renderer``, ``defaults``,
            ``check_duplicate``, ``billing_code``, ``tiny_list``, ``brand``,
            ``user_owner_id``. Checked locally before any request.
        """
        payload = self._campaign_payload(msg, recipients, list_id, options)
        payload["startNow"] = False
        response = self._call(
            "POST", "/campaigns/inject", retry=SendSafety.SAFE, **self._transport.encode_body(payload)
        )
        return _campaign(response)

    def inject_campaign(self, campaign_id: int) -> Campaign:
        """Send a prepared (DRAFT) campaign; retried safely.

        The platform injects a DRAFT once and answers 409 to any later
        inject, so the transport may repeat this request (see
        :class:`~mfanalytics.api.transport.SendSafety`): a 409 to a repeat that
        follows an attempt which may have reached the server confirms that
        attempt, and the campaign is returned with ``confirmedBy``.

        Raises
        ------
        InvalidRequestError
            409 when the campaign was not a DRAFT before this call.
        AmbiguousSendError
            When no attempt could be confirmed: calling again is safe (a 409
            then means it was sent); ``campaign_id`` names the campaign.
        """
        cid = int(campaign_id)
        body = self._transport.encode_body({"campaignId": cid, "startNow": True})
        hint = f"Calling client.inject_campaign({cid}) again is safe: a 409 answer then means the campaign was sent."
        try:
            response = self._call("POST", "/campaigns/inject", retry=SendSafety.CONFIRM_BY_409, hint=hint, **body)
        except InvalidRequestError as exc:
            if exc.status != 409 or not exc.retried:
                raise
        except AmbiguousSendError as exc:
            exc.campaign_id = cid  # type: ignore[attr-defined]  # the campaign to check, on this error only
            raise
        else:
            return _campaign(response)
        # an earlier attempt of this call went through
        return Campaign({"id": cid, "status": "INJECTED", "confirmedBy": "409 on retry"})

    #: What a broken French sending rule does to ``send_campaign`` and ``send_now``:
    #: ``"error"`` stops the send (:class:`~mfanalytics.errors.ComplianceError`), ``"warn"``
    #: sends with a :class:`~mfanalytics.errors.ComplianceWarning`. Set per client or per call.
    compliance: str = "error"

    def check_compliance(
        self, msg: str, *, recipients: Any = None, list_id: Any = None, compliance: str | None = None, **options: Any
    ) -> Any:
        """Check a send against the French sending rules, as ``send_campaign`` does before sending.

        Runs :func:`~mfanalytics.messages.compliance.check_compliance` with the
        campaign's ``type_select``, ``schedule_on`` (or the client's clock, for
        a send now), ``sender`` and recipients, and returns its findings.
        ``compliance="error"`` (the default, :attr:`compliance`) raises
        :class:`~mfanalytics.errors.ComplianceError` when one is an error;
        ``"warn"`` issues each finding as a :class:`~mfanalytics.errors.ComplianceWarning`.
        """
        import warnings

        from mfanalytics.errors import ComplianceWarning
        from mfanalytics.messages import campaign_rules
        from mfanalytics.messages.compliance import check_compliance, compliance_error

        mode = self.compliance if compliance is None else compliance
        if mode not in ("error", "warn"):
            raise ValidationError(
                f"compliance must be 'error' or 'warn', got {mode!r}", rule="compliance-mode", field="compliance"
            )
        if options.get("schedule_on") is not None:  # a malformed time fails as the payload would say it
            campaign_rules.validate_schedule(options["schedule_on"], now=self.now())
        findings = check_compliance(
            msg,
            type_select=options.get("type_select") or "MKG",
            schedule_on=options.get("schedule_on"),
            sender=options.get("sender"),
            recipients=recipients,
            now=self.now(),
            region=self.region,
        )
        if mode == "error" and not findings.ok:
            raise compliance_error(findings)
        for finding in findings:
            sent = " Sent anyway (compliance='warn')." if finding.severity == "error" else ""
            warnings.warn(f"{finding}{sent}", ComplianceWarning, stacklevel=3)
        return findings

    def send_campaign(
        self, msg: str, *, recipients: Any = None, list_id: Any = None, compliance: str | None = None, **options: Any
    ) -> Campaign:
        """Prepare, then inject: the safe way to send.

        Returns the injected campaign with the counts of the preparation.
        Raises :class:`ValidationError` (rule ``no-valid-recipient``) and
        leaves the DRAFT unsent when the platform counted no valid recipient.
        Before anything is sent, :meth:`check_compliance` checks the French
        sending rules: a marketing message needs a STOP mention and must reach
        every recipient Monday to Saturday, 08:00-20:00 in their local time,
        outside public holidays. A broken rule raises
        :class:`~mfanalytics.errors.ComplianceError` unless ``compliance="warn"``.
        """
        self.check_compliance(msg, recipients=recipients, list_id=list_id, compliance=compliance, **options)
        draft = self.prepare_campaign(msg, recipients=recipients, list_id=list_id, **options)
        if draft.get("countValid", 1) == 0:
            raise ValidationError(
                f"Campaign {draft.id} has no valid recipient (counted: {draft.summary()}); "
                "it was left as a DRAFT and nothing was sent.",
                rule="no-valid-recipient",
                field="recipients",
            )
        injected = self.inject_campaign(draft.id)
        return Campaign({**draft, **injected})

    def send_now(
        self, msg: str, *, recipients: Any = None, list_id: Any = None, compliance: str | None = None, **options: Any
    ) -> Campaign:
        """One request with ``startNow=true``: sends without a DRAFT step.

        Never retried once the request may have reached the server: an
        unclear outcome raises :class:`AmbiguousSendError`. Prefer
        :meth:`send_campaign`. The French sending rules are checked first,
        as in :meth:`send_campaign`.
        """
        self.check_compliance(msg, recipients=recipients, list_id=list_id, compliance=compliance, **options)
        payload = self._campaign_payload(msg, recipients, list_id, options)
        payload["startNow"] = True
        response = self._call(
            "POST", "/campaigns/inject", retry=SendSafety.NEVER_AMBIGUOUS, **self._transport.encode_body(payload)
        )
        return _campaign(response)

    def cancel_campaign(self, campaign_id: int) -> Campaign:
        """Cancel a scheduled campaign (back to DRAFT); refused within 10 s of its time."""
        response = self._call("POST", f"/campaigns/{int(campaign_id)}/cancel", retry=SendSafety.SAFE)
        return _campaign(response, empty={"id": int(campaign_id), "status": "DRAFT"})
