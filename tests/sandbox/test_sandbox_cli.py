"""``mfanalytics sandbox`` starts a real server process."""

from __future__ import annotations

import pathlib
import socket
import subprocess
import sys
import time

import pytest
import requests

from mfanalytics.cli import build_parser

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(*args: str):
    port = _free_port()
    proc = subprocess.Popen(
        # no sample history unless a test asks for it: building 30 days of campaigns takes a while
        [sys.executable, "-m", "mfanalytics.cli", "sandbox", "--port", str(port), *args]
        + ([] if "--samples" in args else ["--samples", "0"]),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the sandbox exited: {proc.stderr.read()}")
        try:
            requests.get(url + "/_sandbox/clock", timeout=1)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the sandbox did not start in 30 s")


def _stop(proc) -> tuple[str, str]:
    proc.terminate()
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return out, err


def test_cli_serves_the_api_with_users_seed_and_speed(tmp_path):
    db = tmp_path / "cli.db"
    proc, url = _start(
        "--seed",
        "3",
        "--user",
        "ana:pw1",
        "--user",
        "boss:pw2:ADMIN",
        "--speed",
        "0",
        "--start",
        "2026-03-02T09:00:00Z",
        "--db",
        str(db),
    )
    try:
        assert requests.get(url + "/MediasflowApi").status_code == 200
        assert (
            requests.post(url + "/api/v1/auth/login", json={"username": "demo", "password": "demo"}).status_code == 401
        )
        r = requests.post(url + "/api/v1/auth/login", json={"username": "ana", "password": "pw1"})
        assert r.status_code == 200
        headers = {"Authorization": r.headers["Authorization"]}
        body = {"listRecipient": ["0639980016"], "msg": "Bonjour", "startNow": True}
        cid = requests.post(url + "/api/v1/campaigns/inject", json=body, headers=headers).json()["id"]
        assert requests.get(url + "/_sandbox/clock").json()["now"] == "2026-03-02T09:00:00Z"  # speed 0
        requests.post(url + "/_sandbox/clock", json={"advance": 60})
        report = requests.get(f"{url}/api/v1/campaigns/report/{cid}", headers=headers).text
        assert report.splitlines()[1].split(";")[3] == "16"
        users = {u["name"]: u["role"] for u in requests.get(url + "/_sandbox/users").json()}
        assert users == {"ana": "USER", "boss": "ADMIN"}
    finally:
        out, err = _stop(proc)
    assert "pw1" not in out + err and headers["Authorization"].split()[1] not in out + err
    # restart on the same file: the campaign is still there
    proc, url = _start("--db", str(db), "--speed", "0")
    try:
        r = requests.post(url + "/api/v1/auth/login", json={"username": "ana", "password": "pw1"})
        headers = {"Authorization": r.headers["Authorization"]}
        assert requests.get(f"{url}/api/v1/campaigns/reportjson/{cid}", headers=headers).json()[0]["STATUS_CODE"] == 16
    finally:
        _stop(proc)


def test_cli_default_user_is_demo():
    proc, url = _start("--speed", "0")
    try:
        assert (
            requests.post(url + "/api/v1/auth/login", json={"username": "demo", "password": "demo"}).status_code == 200
        )
    finally:
        _stop(proc)


def test_cli_arguments():
    args = build_parser().parse_args(["sandbox"])
    assert (args.host, args.port, args.seed, args.speed, args.db) == ("127.0.0.1", 8080, 0, 1.0, None)
    args = build_parser().parse_args(["sandbox", "--user", "a:1", "b:2:admin", "--user", "c:3"])
    assert args.user == [("a", "1", "USER"), ("b", "2", "ADMIN"), ("c", "3", "USER")]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "--user", "nopassword"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "--user", "a:b:ROOT"])
