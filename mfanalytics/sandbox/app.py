"""The sandbox's HTTP application (FastAPI): the guide's endpoints under ``/api/v1``, the Swagger
page at ``/MediasflowApi``, the API's error answers, and the controls of
:mod:`mfanalytics.sandbox.controls` under ``/_sandbox/``.

How a request's parameters are read is :mod:`mfanalytics.sandbox.params`; the document served at
``/MediasflowApi/openapi.json`` is :mod:`mfanalytics.sandbox.openapi`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, BinaryIO

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from mfanalytics.api.transport import DIGEST_HEADER  # the one name of the header, shared with the client
from mfanalytics.errors import MediasflowError, ValidationError
from mfanalytics.sandbox import inputs, openapi, request_schemas, swagger, views
from mfanalytics.sandbox.auth import Account
from mfanalytics.sandbox.body_checks import check_body
from mfanalytics.sandbox.controls import add_controls
from mfanalytics.sandbox.faults import FaultMiddleware
from mfanalytics.sandbox.params import LOOPBACK, HTTPError, error_answer, host_of, only_query, read_params
from mfanalytics.sandbox.state import Conflict, Forbidden, NotFound, SandboxState

__all__ = ["create_app", "DIGEST_HEADER", "LOOPBACK"]

API = "/api/v1"
_CHUNK = 1 << 20


def _chunks(sink: BinaryIO) -> Iterator[bytes]:
    """The content of ``sink`` in chunks; closes it (which deletes a temporary file) at the end, or when
    the answer is abandoned."""
    with sink:
        while chunk := sink.read(_CHUNK):
            yield chunk


def create_app(state: SandboxState, *, faults: bool = True) -> ASGIApp:
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
    async def swagger_page() -> HTMLResponse:
        return HTMLResponse(swagger.swagger_page(app.title, app.openapi_url or ""))

    @app.exception_handler(HTTPError)
    async def _http_error(request: Request, exc: HTTPError) -> JSONResponse:
        return error_answer(exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _starlette_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # every method the path answers, not those of the first route that matched it
            methods: set[str] = set()
            for route in app.routes:
                regex = getattr(route, "path_regex", None)
                if regex is not None and regex.match(request.url.path):
                    methods |= set(getattr(route, "methods", None) or ())
            headers = {**(headers or {}), "Allow": ", ".join(sorted(methods))}
        return error_answer(exc.status_code, str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [
            "{}: {}".format(".".join(str(p) for p in e.get("loc", ())[1:]) or "body", e.get("msg"))
            for e in exc.errors()
        ]
        return error_answer(400, "invalid request: " + "; ".join(parts))

    def _answer_with(status: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
        async def handler(request: Request, exc: Exception) -> JSONResponse:
            return error_answer(status, str(exc))

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

    def authenticate(request: Request) -> Account:
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

    # -- auth ------------------------------------------------------------------
    @app.post(API + "/auth/login", tags=["auth"])
    async def login(request: Request) -> JSONResponse:
        """Log in; the token comes in the ``Authorization`` header (and in ``token``)."""
        only_query(request)
        params = check_body(await read_params(request), request_schemas.LOGIN_BODY)
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
    async def inject(request: Request) -> JSONResponse:
        """Prepare (``startNow=false``), inject a DRAFT (``campaignId``), or both at once."""
        account = authenticate(request)
        only_query(request)
        params = check_body(await read_params(request), request_schemas.INJECT_BODY)
        start_now = params.get("startNow", False)

        def work() -> dict[str, Any]:
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
    async def cancel(campaign_id: int, request: Request) -> JSONResponse:
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
    async def report_csv(
        campaign_id: int, request: Request, status: str | None = None, details: str | None = None
    ) -> Response:
        """One campaign's report as CSV (``;``, UTF-8)."""
        account = authenticate(request)
        only_query(request, "status", "details")
        sink, size, digest = await run_in_threadpool(
            views.campaign_report_file, state, account, campaign_id, status, details
        )
        headers = {
            DIGEST_HEADER: digest,
            "Content-Length": str(size),
            "Content-Disposition": f'attachment; filename="report_{campaign_id}.csv"',
        }
        # streamed from its file: a report of millions of lines is never one bytes object here
        return StreamingResponse(_chunks(sink), media_type="text/csv; charset=utf-8", headers=headers)

    @app.get(API + "/campaigns/reportjson/{campaign_id}", tags=["reports"])
    async def report_json(
        campaign_id: int, request: Request, status: str | None = None, details: str | None = None
    ) -> Response:
        """One campaign's report as a JSON array."""
        account = authenticate(request)
        only_query(request, "status", "details")
        body = await run_in_threadpool(views.campaign_report, state, account, campaign_id, status, details, "json")
        return _send(body, "application/json")

    async def _period(request: Request, fmt: str) -> Response:
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

    def period_endpoint(fmt: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:  # no parameter but the request: nothing internal in the query
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
    async def blacklist_add(request: Request) -> JSONResponse:
        """Add a number (or an email) to the account's blacklist."""
        account = authenticate(request)
        only_query(request)
        p = await read_params(request)
        if "typeItem" not in p and "typeltem" in p:  # the guide's table spells it typeltem
            p["typeItem"] = p.pop("typeltem")
        if isinstance(p.get("typeItem"), str):
            p["typeItem"] = p["typeItem"].strip().upper()
        p = check_body(p, request_schemas.BLACKLIST_BODY)
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
    async def blacklist_get(request: Request, userOwnerID: str | None = None) -> JSONResponse:
        """The account's blacklist as a JSON list."""
        account = authenticate(request)
        only_query(request, "userOwnerID")
        return JSONResponse(state.blacklist_of(state.acting_for(account, userOwnerID)))

    # -- lists -----------------------------------------------------------------
    @app.post(API + "/lists/upload", tags=["lists"])
    async def upload(request: Request) -> JSONResponse:
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
        texts: dict[str, str | None] = {}
        for name in ("description", "userOwnerID"):
            value = form.get(name)
            if value is not None and not isinstance(value, str):
                raise ValidationError(f"{name} must be a text field", rule="string", field=name)
            texts[name] = value
        answer = await run_in_threadpool(
            views.upload_list, state, account, content, filename, texts["description"], texts["userOwnerID"]
        )
        return JSONResponse(answer)

    add_controls(app, state)

    def public_contract() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi.build_document(
                title=app.title, version=app.version, description=app.description, api=API
            )
        return app.openapi_schema

    app.openapi = public_contract  # type: ignore[method-assign]  # FastAPI's way to serve a document of one's own
    return FaultMiddleware(app, state.faults) if faults else app
