"""The sandbox's HTTP routes (FastAPI): the guide's endpoints under
``/api/v1``, the Swagger page at ``/MediasflowApi`` and the sandbox controls
under ``/_sandbox/``.

Bodies may be ``application/json`` (primary) or
``application/x-www-form-urlencoded``, whose fields each carry a value or a
JSON structure (``listRecipient=[...]&startNow=true``), or whose single field
is the whole JSON object. Every error answers ``{"status": code, "message": ...}``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from mfanalytics.api.transport import DIGEST_HEADER  # the one name of the header, shared with the client
from mfanalytics.errors import MediasflowError, ValidationError
from mfanalytics.sandbox import inputs, openapi, swagger, views
from mfanalytics.sandbox.clock import MAX_INSTANT, MAX_SPEED, format_utc, parse_instant
from mfanalytics.sandbox.faults import FaultMiddleware
from mfanalytics.sandbox.openapi import check_body
from mfanalytics.sandbox.state import Conflict, Forbidden, NotFound, SandboxState

__all__ = ["create_app", "DIGEST_HEADER", "LOOPBACK"]

LOOPBACK = ("127.0.0.1", "::1", "localhost")
API = "/api/v1"


class HTTPError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def _error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"status": status, "message": message}, status_code=status, headers=headers)


def _maybe_json(value: str, field: str) -> Any:
    text = value.strip()
    if text[:1] in '[{"' or text in ("true", "false", "null"):
        try:
            return inputs.loads(text, field)
        except ValidationError:
            raise
        except ValueError:
            return value
    return value


async def read_params(request: Request) -> dict[str, Any]:
    """The JSON structure of a POST, whatever the guide-compatible encoding.

    JSON is read by :func:`mfanalytics.sandbox.inputs.loads`: at most
    :data:`~mfanalytics.sandbox.inputs.MAX_JSON_DEPTH` levels deep, finite
    numbers only; anything else answers 400.
    """
    body = await request.body()
    if not body.strip():
        return {}
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    if ctype != "application/x-www-form-urlencoded" or text.lstrip()[:1] in "{[":
        try:
            data = inputs.loads(text)
        except ValidationError:
            raise
        except ValueError:
            if ctype == "application/json":
                raise HTTPError(400, "the body is not valid JSON") from None
            data = None
        if data is not None:
            if not isinstance(data, dict):
                raise HTTPError(400, "the body must be a JSON object")
            return data
    decoded = unquote_plus(text)
    if decoded.lstrip()[:1] == "{":  # the whole JSON object, form-encoded
        try:
            data = inputs.loads(decoded)
        except ValidationError:
            raise
        except ValueError:
            raise HTTPError(400, "the form-encoded body is not a valid JSON object") from None
        if not isinstance(data, dict):
            raise HTTPError(400, "the body must be a JSON object")
        return data
    pairs = parse_qsl(text, keep_blank_values=True)
    if len(pairs) == 1 and pairs[0][0] in ("json", "data", "body", "params") and pairs[0][1].lstrip()[:1] == "{":
        try:
            data = inputs.loads(pairs[0][1], pairs[0][0])
        except ValidationError:
            raise
        except ValueError:
            raise HTTPError(400, f"the field {pairs[0][0]} is not a valid JSON object") from None
        if not isinstance(data, dict):
            raise HTTPError(400, f"the field {pairs[0][0]} must hold a JSON object")
        return data
    return {key: _maybe_json(value, key) for key, value in pairs}


def _control_number(value: Any, field: str, minimum: float, maximum: float) -> float:
    """A number of a /_sandbox/ control: a JSON number, or a numeric form string."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValidationError(f"{field} must be a number, not {value[:40]!r}", rule="number", field=field) from None
    return inputs.finite_number(value, field, minimum=minimum, maximum=maximum)


def create_app(state: SandboxState, *, faults: bool = True):
    """The ASGI application serving ``state`` (wrapped in the fault middleware)."""
    app = FastAPI(
        title="Mediasflow API sandbox",
        description=(
            "A local, stateful simulator of the Mediasflow SMS API (guide V2.3). No SMS is ever sent. "
            "Log in with POST /api/v1/auth/login, copy the `Authorization` response header "
            "(Bearer ...) into Authorize, then call the API. Sandbox controls live under /_sandbox/."
        ),
        version="1.0",
        docs_url=None,  # served below from swagger-ui-bundle: no CDN, works offline
        openapi_url="/MediasflowApi/openapi.json",
        redoc_url=None,
    )
    app.state.sandbox = state

    assets = swagger.swagger_assets()
    if assets is not None:
        from starlette.staticfiles import StaticFiles

        app.mount(swagger.ASSETS, StaticFiles(directory=assets), name="swagger-ui")

    @app.get("/MediasflowApi", include_in_schema=False)
    async def swagger_page():
        return HTMLResponse(swagger.swagger_page(app.title, app.openapi_url))

    @app.exception_handler(HTTPError)
    async def _http_error(request, exc: HTTPError):
        return _error(exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _starlette_error(request, exc):
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # every method the path answers, not those of the first route that matched it
            methods = set()
            for route in app.routes:
                regex = getattr(route, "path_regex", None)
                if regex is not None and regex.match(request.url.path):
                    methods |= set(getattr(route, "methods", None) or ())
            headers = {**(headers or {}), "Allow": ", ".join(sorted(methods))}
        return _error(exc.status_code, str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request, exc):
        parts = [
            "{}: {}".format(".".join(str(p) for p in e.get("loc", ())[1:]) or "body", e.get("msg"))
            for e in exc.errors()
        ]
        return _error(400, "invalid request: " + "; ".join(parts))

    def _answer_with(status: int):
        async def handler(request, exc):
            return _error(status, str(exc))

        return handler

    # the rule modules' errors and the state's refusals, as the API's JSON errors
    for error_class, status in (
        (MediasflowError, 400),
        (Conflict, 409),
        (NotFound, 404),
        (Forbidden, 403),
        (ValueError, 400),
    ):
        app.add_exception_handler(error_class, _answer_with(status))

    def host_of(request: Request) -> str:
        return request.client.host if request.client else ""

    def authenticate(request: Request):
        state.tick()
        header = request.headers.get("authorization", "").strip()
        token = header[7:].strip() if header.lower().startswith("bearer ") else header
        if not token:
            raise HTTPError(
                401, "missing Bearer token: log in with POST /api/v1/auth/login", {"WWW-Authenticate": "Bearer"}
            )
        account = state.accounts.check_token(token, now=state.now())
        if account is None:
            raise HTTPError(401, "invalid or expired token: log in again", {"WWW-Authenticate": "Bearer"})
        if host_of(request) not in account.allowed_hosts:
            raise HTTPError(403, f"requests from {host_of(request)} are not allowed for this account")
        return account

    def only_query(request: Request, *names: str) -> None:
        """Refuse query parameters the guide does not give this route (never ignored, never guessed)."""
        unknown = sorted({k for k in request.query_params if k not in names})
        if unknown:
            allowed = ", ".join(names) if names else "none"
            raise ValidationError(
                f"unknown query parameter(s) {', '.join(repr(u[:40]) for u in unknown)[:300]}; "
                f"this route takes: {allowed}",
                rule="unknown-parameter",
                field=unknown[0][:40],
            )

    def sandbox_only(request: Request) -> None:
        if host_of(request) not in LOOPBACK:
            raise HTTPError(403, "the /_sandbox/ controls answer loopback clients only")

    # -- auth ------------------------------------------------------------------
    @app.post(API + "/auth/login", tags=["auth"])
    async def login(request: Request):
        """Log in; the token comes in the ``Authorization`` header (and in ``token``)."""
        only_query(request)
        params = check_body(await read_params(request), openapi.LOGIN_BODY)
        username, password = params["username"], params["password"]
        with state.lock:
            state.tick()
            token = state.accounts.login(username, password, now=state.now())
        if token is None:
            raise HTTPError(401, "wrong username or password")
        account = state.accounts.users[username]
        if host_of(request) not in account.allowed_hosts:
            state.accounts.revoke(token)  # never answered: not kept either
            raise HTTPError(403, f"requests from {host_of(request)} are not allowed for this account")
        return JSONResponse(
            {
                "token": token,
                "tokenType": "Bearer",
                "expiresIn": 3600,
                "userOwnerID": account.user_id,
                "maxSegments": account.max_segments,
            },
            headers={"Authorization": f"Bearer {token}"},
        )

    # -- campaigns -------------------------------------------------------------
    @app.post(API + "/campaigns/inject", tags=["campaigns"])
    async def inject(request: Request):
        """Prepare (``startNow=false``), inject a DRAFT (``campaignId``), or both at once."""
        account = authenticate(request)
        only_query(request)
        params = check_body(await read_params(request), openapi.INJECT_BODY)
        start_now = params.get("startNow", False)

        def work():
            campaign_id = params.get("campaignId")
            cid = None if campaign_id in (None, "") else inputs.whole_number(campaign_id, "campaignId")
            if cid:
                campaign = state.get_campaign(cid, account)
                if not start_now:
                    raise ValidationError(
                        "campaignId is only for injecting a DRAFT: send startNow=true",
                        rule="start-now",
                        field="startNow",
                    )
                with state.lock:
                    state.start(campaign, account, schedule=params.get("scheduleOn"))
            else:
                campaign = state.prepare(params, account)
                if start_now:
                    with state.lock:
                        state.start(campaign, account)
            return views.campaign_answer(campaign, state)

        return JSONResponse(await run_in_threadpool(work))

    @app.post(API + "/campaigns/{campaign_id}/cancel", tags=["campaigns"])
    async def cancel(campaign_id: int, request: Request):
        """Put a SCHEDULED campaign back to DRAFT (refused within 10 s of its time)."""
        account = authenticate(request)
        only_query(request)
        campaign = state.get_campaign(campaign_id, account)
        state.cancel(campaign)
        return JSONResponse(views.campaign_answer(campaign, state))

    def _send(body: bytes, media: str, filename: str | None = None) -> Response:
        headers = {DIGEST_HEADER: hashlib.sha256(body).hexdigest()}
        if filename:
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return Response(body, media_type=media, headers=headers)

    @app.get(API + "/campaigns/report/{campaign_id}", tags=["reports"])
    async def report_csv(campaign_id: int, request: Request, status: str | None = None, details: str | None = None):
        """One campaign's report as CSV (``;``, UTF-8)."""
        account = authenticate(request)
        only_query(request, "status", "details")
        body = await run_in_threadpool(views.campaign_report, state, account, campaign_id, status, details, "csv")
        return _send(body, "text/csv; charset=utf-8", f"report_{campaign_id}.csv")

    @app.get(API + "/campaigns/reportjson/{campaign_id}", tags=["reports"])
    async def report_json(campaign_id: int, request: Request, status: str | None = None, details: str | None = None):
        """One campaign's report as a JSON array."""
        account = authenticate(request)
        only_query(request, "status", "details")
        body = await run_in_threadpool(views.campaign_report, state, account, campaign_id, status, details, "json")
        return _send(body, "application/json")

    async def _period(request: Request, fmt: str):
        account = authenticate(request)
        only_query(request, "from", "to", "status", "types", "keyField", "userID", "search")
        q = request.query_params
        body = await run_in_threadpool(
            views.period_report,
            state,
            account,
            q.get("from"),
            q.get("to"),
            q.get("status"),
            q.get("types"),
            q.get("keyField"),
            q.get("userID"),
            q.get("search"),
            fmt,
        )
        if fmt == "csv":
            return _send(body, "text/csv; charset=utf-8", "report.csv")
        return _send(body, "application/json")

    def period_endpoint(fmt: str):
        async def endpoint(request: Request):  # no parameter but the request: nothing internal in the query
            return await _period(request, fmt)

        return endpoint

    for path, fmt in (
        ("/campaigns/report/", "csv"),
        ("/campaigns/report", "csv"),
        ("/campaigns/reportjson/", "json"),
        ("/campaigns/reportjson", "json"),
    ):
        endpoint = period_endpoint(fmt)
        app.add_api_route(
            API + path,
            endpoint,
            methods=["GET"],
            tags=["reports"],
            summary=f"Period report ({fmt.upper()}), at most 7 days",
        )

    # -- blacklist -------------------------------------------------------------
    @app.post(API + "/blacklist", tags=["blacklist"])
    async def blacklist_add(request: Request):
        """Add a number (or an email) to the account's blacklist."""
        account = authenticate(request)
        only_query(request)
        p = await read_params(request)
        if "typeItem" not in p and "typeltem" in p:  # the guide's table spells it typeltem
            p["typeItem"] = p.pop("typeltem")
        if isinstance(p.get("typeItem"), str):
            p["typeItem"] = p["typeItem"].strip().upper()
        p = check_body(p, openapi.BLACKLIST_BODY)
        type_item = p.get("typeItem")
        if not isinstance(type_item, str) or type_item.strip().upper() not in ("MOBILE", "EMAIL"):
            raise ValidationError(
                f"typeItem must be MOBILE or EMAIL, not {json.dumps(type_item)[:40]}",
                rule="type-item",
                field="typeItem",
            )
        fields = {
            name: inputs.optional_string(p.get(name), name)
            for name in ("item", "createdDescription", "brand", "userOwnerID")
        }
        entry = state.add_blacklist(
            account,
            item=fields["item"],
            type_item=type_item.strip(),
            description=fields["createdDescription"],
            brand=fields["brand"],
            owner=fields["userOwnerID"],
        )
        return JSONResponse(entry)

    @app.get(API + "/blacklist", tags=["blacklist"])
    async def blacklist_get(request: Request, userOwnerID: str | None = None):
        """The account's blacklist as a JSON list."""
        account = authenticate(request)
        only_query(request, "userOwnerID")
        return JSONResponse(state.blacklist_of(state.acting_for(account, userOwnerID)))

    # -- lists -----------------------------------------------------------------
    @app.post(API + "/lists/upload", tags=["lists"])
    async def upload(request: Request):
        """Upload a CSV list; answers the analysis of section 2.9.1."""
        account = authenticate(request)
        only_query(request)
        form = await request.form()
        upload = form.get("File") or form.get("file")
        if upload is None or not hasattr(upload, "read"):
            raise HTTPError(400, "File is required (multipart/form-data)")
        content = await upload.read()
        expected = request.headers.get(DIGEST_HEADER)
        if expected and hashlib.sha256(content).hexdigest() != expected.strip().lower():
            raise HTTPError(400, f"{DIGEST_HEADER} does not match the SHA-256 of the uploaded file")
        filename = form.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            # the guide's 2.9: filename is required; the File part's own name is not a guess we make
            raise ValidationError(
                "filename is required: the name the list gets on the platform (guide 2.9)",
                rule="required",
                field="filename",
            )
        for name in ("description", "userOwnerID"):
            if form.get(name) is not None and not isinstance(form.get(name), str):
                raise ValidationError(f"{name} must be a text field", rule="string", field=name)
        answer = await run_in_threadpool(
            views.upload_list, state, account, content, str(filename), form.get("description"), form.get("userOwnerID")
        )
        return JSONResponse(answer)

    # -- sandbox controls --------------------------------------------------------
    @app.get("/_sandbox/clock", tags=["sandbox"])
    async def clock_get(request: Request):
        sandbox_only(request)
        return {"now": state.clock.isoformat(), "epoch": state.now(), "speed": state.clock.speed}

    @app.post("/_sandbox/clock", tags=["sandbox"])
    async def clock_post(request: Request):
        """``{"advance": seconds}`` or ``{"set": iso}`` (and/or ``{"speed": x}``)."""
        sandbox_only(request)
        p = await read_params(request)
        unknown = set(p) - {"advance", "set", "speed"}
        if unknown or not p:
            raise HTTPError(
                400,
                'give {"advance": seconds}, {"set": "2026-01-05T09:00:00Z"} and/or {"speed": x}'
                + (f"; unknown option(s) {sorted(unknown)}" if unknown else ""),
            )
        if "advance" in p and "set" in p:
            raise HTTPError(400, "give advance or set, not both")
        speed = None if "speed" not in p else _control_number(p["speed"], "speed", 0, MAX_SPEED)
        advance = None if "advance" not in p else _control_number(p["advance"], "advance", 0, MAX_INSTANT)
        when = p.get("set")
        if "set" in p:
            if isinstance(when, bool) or not isinstance(when, (str, int, float)):
                raise ValidationError("set must be an ISO 8601 instant or epoch seconds", rule="instant", field="set")
            try:
                target = parse_instant(when)
            except ValueError as exc:
                raise ValidationError(str(exc), rule="instant", field="set") from None
            if not math.isfinite(target) or not 0 <= target <= MAX_INSTANT:
                raise ValidationError(
                    f"set must be between 1970-01-01 and {format_utc(MAX_INSTANT)}", rule="range", field="set"
                )
        if advance is not None and state.now() + advance > MAX_INSTANT:
            raise ValidationError(
                f"advance by {advance:g} s would take the clock past {format_utc(MAX_INSTANT)}",
                rule="range",
                field="advance",
            )
        # everything checked: only now does anything change
        if advance is not None:
            await run_in_threadpool(state.advance, advance)
        elif when is not None:
            await run_in_threadpool(state.set_clock, when)
        if speed is not None:
            state.clock.set_speed(speed)
        return {"now": state.clock.isoformat(), "epoch": state.now(), "speed": state.clock.speed}

    @app.get("/_sandbox/faults", tags=["sandbox"])
    async def faults_get(request: Request):
        sandbox_only(request)
        return state.faults.describe()

    @app.post("/_sandbox/faults", tags=["sandbox"])
    async def faults_post(request: Request):
        """``{"rate", "kinds", "methods", "routes", "after_processing", "delay", "retry_after", "count"}``."""
        sandbox_only(request)
        p = await read_params(request)
        known = {"rate", "kinds", "methods", "routes", "after_processing", "delay", "retry_after", "count"}
        unknown = set(p) - known
        if unknown:
            raise HTTPError(400, f"unknown fault option(s) {sorted(unknown)}; known: {sorted(known)}")
        return state.faults.update(**p)

    @app.get("/_sandbox/campaigns", tags=["sandbox"])
    async def sandbox_campaigns(request: Request):
        sandbox_only(request)
        state.tick()
        return [
            views.campaign_state(c, state, sample=False) for c in sorted(state.campaigns.values(), key=lambda c: c.id)
        ]

    @app.get("/_sandbox/campaigns/{campaign_id}", tags=["sandbox"])
    async def sandbox_campaign(campaign_id: int, request: Request):
        sandbox_only(request)
        state.tick()
        campaign = state.campaigns.get(campaign_id)
        if campaign is None:
            raise HTTPError(404, f"campaign {campaign_id} not found")
        return views.campaign_state(campaign, state, sample=True)

    @app.get("/_sandbox/users", tags=["sandbox"])
    async def sandbox_users(request: Request):
        sandbox_only(request)
        return [a.public() for a in state.accounts.users.values()]

    @app.post("/_sandbox/users", tags=["sandbox"])
    async def sandbox_add_user(request: Request):
        """``{"name", "password", "role", "credit", "max_segments", "countries", "allowed_hosts"}``."""
        sandbox_only(request)
        p = await read_params(request)
        name, password = p.pop("name", None), p.pop("password", None)
        if not isinstance(name, str) or not name or not isinstance(password, str):
            raise HTTPError(400, "name and password are required (strings)")
        unknown = set(p) - {"role", "credit", "max_segments", "countries", "allowed_hosts", "short_code"}
        if unknown:
            raise HTTPError(400, f"unknown user option(s) {sorted(unknown)}")
        if "role" in p and (not isinstance(p["role"], str) or p["role"].upper() not in ("USER", "ADMIN")):
            raise ValidationError("role must be USER or ADMIN", rule="role", field="role")
        if "credit" in p:
            p["credit"] = inputs.finite_number(p["credit"], "credit", minimum=0, maximum=1e15)
        if "max_segments" in p:
            p["max_segments"] = inputs.whole_number(p["max_segments"], "max_segments", minimum=1, maximum=255)
        for key in ("countries", "allowed_hosts"):
            if key in p and (not isinstance(p[key], list) or not all(isinstance(v, str) for v in p[key])):
                raise ValidationError(f"{key} must be a list of strings", rule="string-list", field=key)
        if "short_code" in p and not (isinstance(p["short_code"], str) and re.fullmatch(r"[0-9]{3}", p["short_code"])):
            raise ValidationError("short_code must be three digits", rule="short-code", field="short_code")
        return state.add_user(name, password, **p).public()

    @app.post("/_sandbox/blacklist", tags=["sandbox"])
    async def sandbox_global_blacklist(request: Request):
        """``{"items": [...]}``: add numbers to the global blacklist (code 15)."""
        sandbox_only(request)
        p = await read_params(request)
        return views.add_global(state, inputs.string_list(p.get("items") or [], "items"))

    def public_contract():
        if app.openapi_schema is None:
            app.openapi_schema = openapi.build_document(
                title=app.title, version=app.version, description=app.description, api=API
            )
        return app.openapi_schema

    app.openapi = public_contract
    return FaultMiddleware(app, state.faults) if faults else app
