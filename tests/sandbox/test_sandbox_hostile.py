"""No input a client can send makes the sandbox answer 500 or breaks it.

Every hostile request goes over real HTTP on the test's kept-alive
``requests`` session; after each one the same connection must still log in,
read the blacklist and send a small campaign (:func:`healthy`).
"""

from __future__ import annotations

import json

import pytest
import requests
from sandbox_api import Api

DEEP = 1000


def healthy(api: Api) -> None:
    """A normal login, ``GET /blacklist`` and a small send, on the same session."""
    api.login()
    r = api.get("/blacklist")
    assert r.status_code == 200, r.text
    sent = api.send([{"mobile": "0639980016", "PRENOM": "Ana"}])
    assert sent["status"] != "DRAFT"
    api.sb.advance(60)
    assert api.report(sent["id"])[0]["INT_MOBILE"] == "+33639980016"


def post_raw(api: Api, path: str, body: str, root: bool = False) -> requests.Response:
    base = api.sb.root if root else api.url
    return api.session.post(base + path, data=body.encode(), headers={"Content-Type": "application/json"}, timeout=30)


def assert_json_400(r: requests.Response, *words: str) -> None:
    assert r.status_code == 400, (r.status_code, r.text)
    body = r.json()
    assert body["status"] == 400
    for word in words:
        assert word in body["message"], body["message"]


# -- nesting -------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/auth/login", "/campaigns/inject", "/blacklist"])
@pytest.mark.parametrize("shape", ["array", "object", "form"])
def test_json_nested_1000_deep_is_400_and_the_connection_lives(api, path, shape):
    if shape == "array":
        body = "[" * DEEP + "]" * DEEP
    elif shape == "object":
        body = '{"a":' * DEEP + "1" + "}" * DEEP
    else:  # a form field carrying JSON
        body = None
    if body is None:
        r = api.session.post(api.url + path, data={"listRecipient": "[" * DEEP + "]" * DEEP, "msg": "x"}, timeout=30)
    else:
        r = post_raw(api, path, body)
    assert_json_400(r, "deep")
    healthy(api)


def test_sandbox_routes_refuse_deep_json_too(api):
    r = post_raw(api, "/_sandbox/clock", '{"advance": ' + "[" * DEEP + "]" * DEEP + "}", root=True)
    assert_json_400(r, "deep")
    healthy(api)


def test_a_route_without_a_body_ignores_one(api):
    r = post_raw(api, "/campaigns/1001/cancel", "[" * DEEP + "]" * DEEP)
    assert r.status_code == 404 and r.json()["status"] == 404
    healthy(api)


def test_reasonable_nesting_is_still_read(api):
    # listRecipient > recipient > extendedKeys > key: the guide's deepest structure
    body = {
        "listRecipient": [{"mobile": "0639980016", "extendedKeys": [{"keyName": "PRENOM", "keyValue": "Ana"}]}],
        "msg": "Bonjour ${PRENOM}",
        "startNow": False,
    }
    r = post_raw(api, "/campaigns/inject", json.dumps(body))
    assert r.status_code == 200, r.text


# -- numbers -------------------------------------------------------------------
@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e400", "-1e400"])
def test_campaign_id_that_is_no_json_number_is_400(api, value):
    r = post_raw(api, "/campaigns/inject", f'{{"campaignId": {value}, "startNow": true}}')
    assert_json_400(r)
    healthy(api)


@pytest.mark.parametrize(
    "value", ["1001.7", "true", "false", '"1001.7"', '"abc"', "[1001]", '{"id": 1001}', "-5", '"1e3"']
)
def test_campaign_id_must_be_a_whole_number(api, value):
    draft = api.prepare([{"mobile": "0639980016", "PRENOM": "Ana"}])
    assert draft["id"] == 1001
    r = post_raw(api, "/campaigns/inject", f'{{"campaignId": {value}, "startNow": true}}')
    assert_json_400(r, "campaignId")
    # nothing was injected by a guess
    state = requests.get(api.sb.root + "/_sandbox/campaigns/1001").json()
    assert state["status"] == "DRAFT"
    healthy(api)


@pytest.mark.parametrize("value", ["1001", '"1001"', "1001.0"])
def test_campaign_id_as_integer_or_digits_is_read(api, value):
    api.prepare([{"mobile": "0639980016", "PRENOM": "Ana"}])
    r = post_raw(api, "/campaigns/inject", f'{{"campaignId": {value}, "startNow": true}}')
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "INJECTED"


def test_campaign_id_in_a_form_body(api):
    api.prepare([{"mobile": "0639980016", "PRENOM": "Ana"}])
    r = api.post("/campaigns/inject", data={"campaignId": "1001.7", "startNow": "true"})
    assert_json_400(r, "campaignId")
    r = api.post("/campaigns/inject", data={"campaignId": "1001", "startNow": "true"})
    assert r.status_code == 200 and r.json()["status"] == "INJECTED"


@pytest.mark.parametrize("value", ["1", "[1]", '["MOBILE"]', "{}", "true", "null"])
def test_type_item_must_be_mobile_or_email(api, value):
    r = post_raw(api, "/blacklist", f'{{"item": "+33639980099", "typeItem": {value}}}')
    assert_json_400(r, "typeItem")
    assert api.get("/blacklist").json() == []
    healthy(api)


@pytest.mark.parametrize(
    "body",
    [
        {"item": 33639980099, "typeItem": "MOBILE"},
        {"item": ["+33639980099"], "typeItem": "MOBILE"},
        {"item": "+33639980099", "typeItem": "MOBILE", "createdDescription": 5},
        {"item": "+33639980099", "typeItem": "MOBILE", "brand": ["a"]},
    ],
)
def test_blacklist_fields_must_be_strings(api, body):
    r = api.post("/blacklist", json=body)
    assert_json_400(r)
    assert api.get("/blacklist").json() == []
    healthy(api)


# -- uploads -------------------------------------------------------------------
def test_upload_without_filename_is_refused(api):
    content = b"mobile;prenom\n0639980016;Ana\n"
    r = api.post("/lists/upload", files={"File": ("liste.csv", content, "text/csv")})
    assert_json_400(r, "filename")
    r = api.post("/lists/upload", files={"File": ("liste.csv", content, "text/csv")}, data={"filename": ""})
    assert_json_400(r, "filename")
    r = api.post("/lists/upload", files={"File": ("liste.csv", content, "text/csv")}, data={"filename": "liste.csv"})
    assert r.status_code == 200 and r.json()["listName"] == "liste.csv"
    healthy(api)


# -- the sandbox clock ---------------------------------------------------------
@pytest.mark.parametrize(
    "body,word",
    [
        ('{"speed": NaN}', "NaN"),
        ('{"speed": Infinity}', "Infinity"),
        ('{"speed": -1}', "speed"),
        ('{"speed": "fast"}', "speed"),
        ('{"speed": true}', "speed"),
        ('{"speed": 1e400}', "1e400"),
        ('{"speed": 1e300}', "speed"),
    ],
)
def test_clock_speed_must_be_a_finite_number_in_range(api, body, word):
    before = requests.get(api.sb.root + "/_sandbox/clock").json()
    r = post_raw(api, "/_sandbox/clock", body, root=True)
    assert_json_400(r, word)
    assert requests.get(api.sb.root + "/_sandbox/clock").json()["speed"] == before["speed"]
    healthy(api)


@pytest.mark.parametrize(
    "body",
    [
        '{"advance": 1e308}',
        '{"advance": NaN}',
        '{"advance": -1}',
        '{"advance": "soon"}',
        '{"advance": false}',
        '{"advance": 1e12}',
        '{"set": 1e308}',
        '{"set": "9999-12-31T23:59:59Z"}',
        '{"set": [1]}',
        '{"set": NaN}',
    ],
)
def test_clock_jumps_must_be_finite_and_in_range(api, body):
    before = requests.get(api.sb.root + "/_sandbox/clock").json()
    r = post_raw(api, "/_sandbox/clock", body, root=True)
    assert_json_400(r)
    assert requests.get(api.sb.root + "/_sandbox/clock").json()["epoch"] == before["epoch"]
    healthy(api)


def test_a_long_but_sane_jump_works_and_tokens_are_born_alive(sb, api):
    r = requests.post(sb.root + "/_sandbox/clock", json={"advance": 10 * 365 * 86400})
    assert r.status_code == 200
    assert r.json()["now"].startswith("2036-")
    healthy(api)


@pytest.mark.parametrize(
    "body",
    [
        {"rate": 1, "kinds": ["slow"], "delay": 1e300},
        {"retry_after": 1e300},
        {"retry_after": "x"},
        {"kinds": "500"},
        {"methods": 5},
        {"routes": ["("]},
        {"count": -1},
        {"rate": True},
    ],
)
def test_fault_options_are_checked(api, body):
    r = requests.post(api.sb.root + "/_sandbox/faults", json=body)
    assert_json_400(r)
    assert requests.get(api.sb.root + "/_sandbox/faults").json()["rate"] == 0
    healthy(api)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "password": "p", "role": 5},
        {"name": "x", "password": "p", "credit": "lots"},
        {"name": "x", "password": "p", "credit": -1},
        {"name": "x", "password": "p", "countries": "FR"},
        {"name": "x", "password": "p", "allowed_hosts": [1]},
        {"name": 5, "password": "p"},
        {"name": "x", "password": "p", "max_segments": 2.5},
    ],
)
def test_sandbox_user_options_are_checked(api, body):
    r = requests.post(api.sb.root + "/_sandbox/users", json=body)
    assert_json_400(r)
    assert "x" not in {u["name"] for u in requests.get(api.sb.root + "/_sandbox/users").json()}
    healthy(api)


@pytest.mark.parametrize("items", [5, [5], [["+33639980099"]], {"a": 1}])
def test_global_blacklist_items_are_checked(api, items):
    r = requests.post(api.sb.root + "/_sandbox/blacklist", json={"items": items})
    assert_json_400(r, "items")
    healthy(api)


# -- tokens --------------------------------------------------------------------
def test_the_token_store_forgets_expired_tokens(sb, api):
    for _ in range(30):
        Api(sb)
    stored = sb.state.accounts.stored_tokens
    assert stored >= 31
    sb.advance(3600)
    api.login()  # every earlier token has expired: only this one stays
    assert sb.state.accounts.stored_tokens == 1
    assert api.get("/blacklist").status_code == 200


def test_the_token_store_does_not_grow_without_bound(sb):
    # one login per simulated minute for five hours: at most an hour of tokens is kept
    sizes = []
    for _ in range(200):
        requests.post(sb.url + "/auth/login", json={"username": "demo", "password": "demo"})
        sb.advance(60)
        sizes.append(sb.state.accounts.stored_tokens)
    assert max(sizes) <= 61
    assert sizes[-1] == sizes[-100]


def test_refused_login_from_a_foreign_address_stores_no_token(sb):
    sb.add_user("remote", "pw", allowed_hosts=["203.0.113.7"])
    r = requests.post(sb.url + "/auth/login", json={"username": "remote", "password": "pw"})
    assert r.status_code == 403
    assert sb.state.accounts.stored_tokens == 0


# -- the depth counter, against the parsed value --------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\k', max_size=3), inner, max_size=3)
    ),
    max_leaves=30,
)


def _depth(value) -> int:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@settings(derandomize=True, max_examples=300, deadline=None)
@given(_JSON)
def test_json_depth_is_the_depth_of_the_parsed_value(value):
    from mfanalytics.sandbox.inputs import json_depth

    assert json_depth(json.dumps(value)) == _depth(value)
    assert json_depth(json.dumps(value, indent=1, ensure_ascii=False)) == _depth(value)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=45),
            st.dictionaries(
                st.sampled_from(["mobile", "gsm", "groupID", "extendedKeys", "NOM"]),
                st.one_of(
                    st.text(max_size=5),
                    st.integers(),
                    st.none(),
                    st.lists(
                        st.dictionaries(st.text(max_size=3), st.one_of(st.text(max_size=3), st.none())), max_size=2
                    ),
                ),
                max_size=4,
            ),
            st.integers(),
        ),
        max_size=5,
    )
)
def test_the_recipients_fast_path_accepts_only_what_the_schema_accepts(recipients):
    from mfanalytics.errors import ValidationError
    from mfanalytics.sandbox import body_checks, openapi

    if body_checks.plain_recipients(recipients):
        body_checks.check_value(
            recipients,
            {k: v for k, v in openapi.INJECT_BODY["properties"]["listRecipient"].items() if k != "x-recipients"},
            "listRecipient",
        )  # must not raise
    else:  # the general walk decides (a null keyValue is fine, a number as mobile is not): never anything but a 400
        try:
            openapi.check_body({"listRecipient": recipients}, openapi.INJECT_BODY)
        except ValidationError as exc:
            assert exc.field.startswith("listRecipient")
