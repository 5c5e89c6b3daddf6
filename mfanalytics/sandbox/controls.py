"""The sandbox's controls under ``/_sandbox/`` (loopback clients only): the clock, faults, the state
of campaigns, users and the global blacklist. They are not part of the guide's API (``docs/sandbox.md``).
"""

from __future__ import annotations

import math
import re
from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from mfanalytics.errors import ValidationError
from mfanalytics.sandbox import inputs, views
from mfanalytics.sandbox.clock import MAX_INSTANT, MAX_SPEED, format_utc, parse_instant
from mfanalytics.sandbox.params import HTTPError, control_number, read_params, sandbox_only
from mfanalytics.sandbox.state import SandboxState

__all__ = ["add_controls"]


def add_controls(app: FastAPI, state: SandboxState) -> None:
    """Add the /_sandbox/ routes of ``state`` to ``app``."""

    @app.get("/_sandbox/clock", tags=["sandbox"], response_model=None)
    async def clock_get(request: Request) -> dict[str, Any]:
        sandbox_only(request)
        return {"now": state.clock.isoformat(), "epoch": state.now(), "speed": state.clock.speed}

    @app.post("/_sandbox/clock", tags=["sandbox"], response_model=None)
    async def clock_post(request: Request) -> dict[str, Any]:
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
        speed = None if "speed" not in p else control_number(p["speed"], "speed", 0, MAX_SPEED)
        advance = None if "advance" not in p else control_number(p["advance"], "advance", 0, MAX_INSTANT)
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

    @app.get("/_sandbox/faults", tags=["sandbox"], response_model=None)
    async def faults_get(request: Request) -> dict[str, Any]:
        sandbox_only(request)
        return state.faults.describe()

    @app.post("/_sandbox/faults", tags=["sandbox"], response_model=None)
    async def faults_post(request: Request) -> dict[str, Any]:
        """``{"rate", "kinds", "methods", "routes", "after_processing", "delay", "retry_after", "count"}``."""
        sandbox_only(request)
        p = await read_params(request)
        known = {"rate", "kinds", "methods", "routes", "after_processing", "delay", "retry_after", "count"}
        unknown = set(p) - known
        if unknown:
            raise HTTPError(400, f"unknown fault option(s) {sorted(unknown)}; known: {sorted(known)}")
        return state.faults.update(**p)

    @app.get("/_sandbox/campaigns", tags=["sandbox"], response_model=None)
    async def sandbox_campaigns(request: Request) -> list[dict[str, Any]]:
        sandbox_only(request)
        state.tick()
        return [
            views.campaign_state(c, state, sample=False) for c in sorted(state.campaigns.values(), key=lambda c: c.id)
        ]

    @app.get("/_sandbox/campaigns/{campaign_id}", tags=["sandbox"], response_model=None)
    async def sandbox_campaign(campaign_id: int, request: Request) -> dict[str, Any]:
        sandbox_only(request)
        state.tick()
        campaign = state.campaigns.get(campaign_id)
        if campaign is None:
            raise HTTPError(404, f"campaign {campaign_id} not found")
        return views.campaign_state(campaign, state, sample=True)

    @app.get("/_sandbox/users", tags=["sandbox"], response_model=None)
    async def sandbox_users(request: Request) -> list[dict[str, Any]]:
        sandbox_only(request)
        return [a.public() for a in state.accounts.users.values()]

    @app.post("/_sandbox/users", tags=["sandbox"], response_model=None)
    async def sandbox_add_user(request: Request) -> dict[str, Any]:
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

    @app.post("/_sandbox/blacklist", tags=["sandbox"], response_model=None)
    async def sandbox_global_blacklist(request: Request) -> dict[str, Any]:
        """``{"items": [...]}``: add numbers to the global blacklist (code 15)."""
        sandbox_only(request)
        p = await read_params(request)
        return views.add_global(state, inputs.string_list(p.get("items") or [], "items"))
