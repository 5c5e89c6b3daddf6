"""The sandbox's OpenAPI document tells the truth: the guide's parameters,
both content types, real answers, every status it can send, nothing internal."""

from __future__ import annotations

import pytest
import requests

GUIDE_INJECT = [
    "campaignId",
    "startNow",
    "msg",
    "listsId",
    "listRecipient",
    "scheduleOn",
    "sender",
    "typeSelect",
    "renderer",
    "defaultForHeader",
    "allowUCS2",
    "autoREPLACEEMOJI",
    "autoREPLACETOGSM7",
    "checkDuplicate",
    "billingCode",
    "brand",
    "userOwnerID",
    "campaignName",
    "tinyList",
]
# the guide's 2.1 tinyList table (description spelled both ways)
GUIDE_TINYLIST = [
    "urlToRedirect",
    "nameToLocalHTML",
    "listParameter",
    "type",
    "label",
    "decription",
    "description",
    "imageName",
    "renderer",
    "endOfLife",
    "index",
    "b64ImagePreview",
    "b64ZipLocal",
    "isOG",
    "associateToDomain",
    "host",
]
GUIDE_RENDERERS = ["BASIC", "MEDIASFLOW", "MEDIASFLOW_B", "HANDLEBARS", "EJS", "VELOCITY"]


@pytest.fixture
def spec(sb):
    return requests.get(sb.root + "/MediasflowApi/openapi.json").json()


def resolve(spec, node):
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def body_schema(spec, path, media="application/json"):
    return resolve(spec, spec["paths"][path]["post"]["requestBody"]["content"][media]["schema"])


def test_every_guide_route_is_documented_and_nothing_else(sb, spec):
    assert spec["openapi"].startswith("3.0")
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert documented == {
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/campaigns/inject"),
        ("POST", "/api/v1/campaigns/{campaignId}/cancel"),
        ("GET", "/api/v1/campaigns/report/{campaignId}"),
        ("GET", "/api/v1/campaigns/reportjson/{campaignId}"),
        ("GET", "/api/v1/campaigns/report/"),
        ("GET", "/api/v1/campaigns/reportjson/"),
        ("POST", "/api/v1/blacklist"),
        ("GET", "/api/v1/blacklist"),
        ("POST", "/api/v1/lists/upload"),
    }
    # the app serves each documented operation (a 401, not a 404/405, without a token)
    for method, path in documented - {("POST", "/api/v1/auth/login")}:
        r = requests.request(method, sb.root + path.replace("{campaignId}", "1001"))
        assert r.status_code == 401, (method, path, r.status_code)


def test_inject_body_lists_every_guide_parameter_in_both_content_types(spec):
    for media in ("application/json", "application/x-www-form-urlencoded"):
        schema = body_schema(spec, "/api/v1/campaigns/inject", media)
        assert set(GUIDE_INJECT) <= set(schema["properties"])
        link = resolve(spec, schema["properties"]["tinyList"]["items"])
        assert set(GUIDE_TINYLIST) <= set(link["properties"])
        assert [r for r in schema["properties"]["renderer"]["enum"] if r] == GUIDE_RENDERERS
        assert link["properties"]["renderer"]["enum"] == GUIDE_RENDERERS
    assert set(body_schema(spec, "/api/v1/blacklist")["properties"]) >= {
        "item",
        "typeItem",
        "createdDescription",
        "brand",
    }
    assert set(body_schema(spec, "/api/v1/auth/login")["required"]) == {"username", "password"}
    upload = body_schema(spec, "/api/v1/lists/upload", "multipart/form-data")
    assert set(upload["properties"]) == {"userOwnerID", "description", "filename", "File"}
    assert set(upload["required"]) == {"filename", "File"}


def test_answers_have_real_schemas_and_statuses(spec):
    campaign = resolve(
        spec,
        spec["paths"]["/api/v1/campaigns/inject"]["post"]["responses"]["200"]["content"]["application/json"]["schema"],
    )
    assert {"id", "status", "listInCampaign", "countRecipient", "creditCount"} <= set(campaign["required"])
    assert set(campaign["properties"]["status"]["enum"]) == {
        "INPROGRESS",
        "DRAFT",
        "INJECTED",
        "INJECTING",
        "SCHEDULED",
    }
    analysis = resolve(
        spec, spec["paths"]["/api/v1/lists/upload"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    )
    assert {"validNumberMOBILE", "computedHeaderSize", "lineDuplicateMobile"} <= set(analysis["required"])
    assert list(spec["paths"]["/api/v1/campaigns/report/{campaignId}"]["get"]["responses"]["200"]["content"]) == [
        "text/csv"
    ]
    assert list(spec["paths"]["/api/v1/campaigns/report/"]["get"]["responses"]["200"]["content"]) == ["text/csv"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"200", "429", "500", "503"} <= codes, (method, path)
            assert "422" not in codes  # the sandbox never sends it
            if path != "/api/v1/auth/login":
                assert {"401", "403"} <= codes and op["security"] == [{"Bearer": []}]


def test_no_internal_parameter_in_the_contract(spec):
    text = repr(spec)
    assert "_fmt" not in text
    for ops in spec["paths"].values():
        for op in ops.values():
            for param in op.get("parameters", []):
                assert not param["name"].startswith("_")


@pytest.mark.parametrize(
    "path,params",
    [
        ("/campaigns/report/", {"from": "2026-03-02", "_fmt": "json"}),
        ("/campaigns/reportjson/", {"from": "2026-03-02", "_fmt": "csv"}),
        ("/blacklist", {"userOwnerId": "x"}),
        ("/campaigns/report/1001", {"detials": "NOM"}),
    ],
)
def test_a_query_parameter_the_guide_does_not_name_is_refused(api, path, params):
    r = api.get(path, params=params)
    assert r.status_code == 400 and r.json()["status"] == 400
    odd = next(k for k in params if k not in ("from",))
    assert odd in r.json()["message"]


def test_the_period_routes_keep_their_format(api):
    r = api.get("/campaigns/report/", params={"from": "2026-03-02"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    r = api.get("/campaigns/reportjson/", params={"from": "2026-03-02"})
    assert r.status_code == 200 and r.json() == []


@pytest.mark.parametrize(
    "method,path,allow",
    [
        ("DELETE", "/blacklist", {"GET", "POST"}),
        ("PUT", "/campaigns/inject", {"POST"}),
        ("GET", "/auth/login", {"POST"}),
        ("DELETE", "/campaigns/report/", {"GET"}),
    ],
)
def test_405_names_the_allowed_methods(sb, method, path, allow):
    r = requests.request(method, sb.url + path)
    assert r.status_code == 405 and r.json()["status"] == 405
    assert allow <= {m.strip() for m in r.headers["Allow"].split(",")}


def test_sandbox_controls_are_not_in_the_public_contract(spec):
    assert not [p for p in spec["paths"] if p.startswith("/_sandbox")]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"msg": "x", "startNow": {}}, "startNow"),
        ({"msg": 5, "startNow": False}, "msg"),
        ({"msg": "x", "renderer": "FOO"}, "renderer"),
        ({"msg": "x", "typeSelect": 1}, "typeSelect"),
        ({"msg": "x", "tinyList": [{"index": "a"}]}, "tinyList[0].index"),
        ({"msg": "x", "tinyList": [{"label": "x"}]}, "tinyList[0].index"),
        ({"msg": "x", "listRecipient": "0639980016"}, "listRecipient"),
        ({"msg": "x", "defaultForHeader": ["a"]}, "defaultForHeader"),
    ],
)
def test_inject_refuses_what_its_schema_refuses_naming_the_field(api, body, field):
    r = api.post("/campaigns/inject", json=body)
    assert r.status_code == 400 and field in r.json()["message"], r.text


def test_form_booleans_in_the_guide_spelling(api):
    r = api.post(
        "/campaigns/inject",
        data={
            "listRecipient": '["0639980016"]',
            "msg": "Bonjour",
            "startNow": "FALSE",
            "allowUCS2": "false",
            "checkDuplicate": "TRUE",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "DRAFT" and r.json()["allowUCS2"] is False and r.json()["checkDuplicate"] is True
