"""The tinyList rules of the guide (section 2.1), checked by one function
(:func:`mfanalytics.messages.campaign_rules.validate_tiny_list`) in the client before a
request leaves and in the sandbox (400 naming the field)."""

from __future__ import annotations

import base64
import pathlib

import pytest

from mfanalytics.errors import ValidationError
from mfanalytics.messages.campaign_rules import validate_tiny_list

DATA = pathlib.Path(__file__).parents[1] / "data" / "tinylist"
PNG = base64.b64encode((DATA / "og_image.png").read_bytes()).decode()
JPG = base64.b64encode((DATA / "og_image.jpg").read_bytes()).decode()
ZIP = base64.b64encode((DATA / "page.zip").read_bytes()).decode()
URL = "https://www.monurl.com/?REF=${REF}"


def redirect(**extra):
    return {"index": 0, "type": "REDIRECT", "urlToRedirect": URL, **extra}


# (message, tinyList, field named by the error)
BAD = {
    "index-without-link": ("Promo", [redirect()], "tinyList[0].index"),
    "index-of-another-link": ("Promo ${track_1}", [redirect(), redirect(index=2)], "tinyList[1].index"),
    "index-missing": ("Promo ${track_1}", [{"type": "REDIRECT", "urlToRedirect": URL}], "tinyList[0].index"),
    "index-not-integer": ("Promo ${track_1}", [redirect(index=0.5)], "tinyList[0].index"),
    "index-twice": ("Promo ${track_1} ${track_2}", [redirect(), redirect()], "tinyList[1].index"),
    "link-without-entry": ("Promo ${track_1} ${track_2}", [redirect()], "tinyList"),
    "no-tinylist": ("Promo ${track_1}", None, "tinyList"),
    "not-a-list": ("Promo ${track_1}", "https://x.fr", "tinyList"),
    "type-unknown": ("Promo ${track_1}", [redirect(type="FORWARD")], "tinyList[0].type"),
    "type-not-inferable": ("Promo ${track_1}", [{"index": 0}], "tinyList[0].type"),
    "redirect-without-url": ("Promo ${track_1}", [{"index": 0, "type": "REDIRECT"}], "tinyList[0].urlToRedirect"),
    "redirect-not-http": ("Promo ${track_1}", [redirect(urlToRedirect="ftp://x.fr/a")], "tinyList[0].urlToRedirect"),
    "get-names-lower-case": (
        "Promo ${track_1}",
        [redirect(urlToRedirect="http://mediasflow.fr?name=${Nom}")],
        "tinyList[0].urlToRedirect",
    ),
    "local-without-name": (
        "Promo ${track_1}",
        [{"index": 0, "type": "LOCAL", "b64ZipLocal": ZIP}],
        "tinyList[0].nameToLocalHTML",
    ),
    "local-without-zip": (
        "Promo ${track_1}",
        [{"index": 0, "type": "LOCAL", "nameToLocalHTML": "soldes.html"}],
        "tinyList[0].b64ZipLocal",
    ),
    "local-zip-not-base64": (
        "Promo ${track_1}",
        [{"index": 0, "type": "LOCAL", "nameToLocalHTML": "soldes.html", "b64ZipLocal": "not base64 !"}],
        "tinyList[0].b64ZipLocal",
    ),
    "local-not-a-zip": (
        "Promo ${track_1}",
        [{"index": 0, "type": "LOCAL", "nameToLocalHTML": "soldes.html", "b64ZipLocal": PNG}],
        "tinyList[0].b64ZipLocal",
    ),
    "local-zip-without-the-file": (
        "Promo ${track_1}",
        [{"index": 0, "type": "LOCAL", "nameToLocalHTML": "promo.html", "b64ZipLocal": ZIP}],
        "tinyList[0].b64ZipLocal",
    ),
    "local-name-not-html": (
        "Promo ${track_1}",
        [{"index": 0, "type": "LOCAL", "nameToLocalHTML": "logo.txt", "b64ZipLocal": ZIP}],
        "tinyList[0].nameToLocalHTML",
    ),
    "label-21": ("Promo ${track_1}", [redirect(label="L" * 21)], "tinyList[0].label"),
    "description-41": ("Promo ${track_1}", [redirect(description="D" * 41)], "tinyList[0].description"),
    "decription-41": ("Promo ${track_1}", [redirect(decription="D" * 41)], "tinyList[0].decription"),
    "label-on-index-1": (
        "Promo ${track_1} ${track_2}",
        [redirect(), redirect(index=1, label="Titre")],
        "tinyList[1].label",
    ),
    "description-on-index-1": (
        "Promo ${track_1} ${track_2}",
        [redirect(), redirect(index=1, decription="Texte")],
        "tinyList[1].decription",
    ),
    "image-gif": ("Promo ${track_1}", [redirect(imageName="og.gif", b64ImagePreview=PNG)], "tinyList[0].imageName"),
    "image-without-data": ("Promo ${track_1}", [redirect(imageName="og_image.png")], "tinyList[0].b64ImagePreview"),
    "data-without-image-name": ("Promo ${track_1}", [redirect(b64ImagePreview=PNG)], "tinyList[0].imageName"),
    "image-not-base64": (
        "Promo ${track_1}",
        [redirect(imageName="og.png", b64ImagePreview="xxxx!")],
        "tinyList[0].b64ImagePreview",
    ),
    "png-named-jpg": (
        "Promo ${track_1}",
        [redirect(imageName="og.jpg", b64ImagePreview=PNG)],
        "tinyList[0].b64ImagePreview",
    ),
    "zip-as-image": (
        "Promo ${track_1}",
        [redirect(imageName="og.png", b64ImagePreview=ZIP)],
        "tinyList[0].b64ImagePreview",
    ),
    "end-of-life-date": ("Promo ${track_1}", [redirect(endOfLife="2026-06-01T00:00:00Z")], "tinyList[0].endOfLife"),
    "end-of-life-zero": ("Promo ${track_1}", [redirect(endOfLife=0)], "tinyList[0].endOfLife"),
    "is-og-not-boolean": ("Promo ${track_1}", [redirect(isOG="maybe")], "tinyList[0].isOG"),
    "renderer-unknown": ("Promo ${track_1}", [redirect(renderer="JINJA")], "tinyList[0].renderer"),
}

GOOD = {
    "guide-2.1.2-upper-case": (
        "Lien ${track_1}",
        [
            {
                "associateToDomain": "1mf.eu",
                "decription": "Description",
                "host": "1mf.eu",
                "imageName": "og_image.png",
                "b64ImagePreview": PNG,
                "index": 0,
                "isOG": False,
                "label": "Title",
                "listParameter": ["REF=${REF}"],
                "type": "REDIRECT",
                "urlToRedirect": "http://www.monurl.com/?REF=${NOM_DU_CHAMP_DE_MA_LISTE_5}",
            }
        ],
    ),
    "jpg-preview-and-two-links": (
        "A ${track_1} B ${track_2}",
        [
            redirect(imageName="og_image.JPG", b64ImagePreview=JPG, isOG=True, label="L" * 20, description="D" * 40),
            {"index": 1, "type": "REDIRECT", "urlToRedirect": "https://x.fr/b?ID=1&CODE_2=x"},
        ],
    ),
    "local-page": (
        "Page ${track_1}",
        [{"index": "0", "type": "LOCAL", "nameToLocalHTML": "soldes.html", "b64ZipLocal": ZIP, "endOfLife": "30"}],
    ),
    "type-inferred": ("Page ${track_1}", [{"index": [0], "urlToRedirect": "https://x.fr"}]),
    "no-link": ("Promo", None),
}


@pytest.mark.parametrize("case", list(BAD))
def test_local_rule(case):
    msg, tiny, field = BAD[case]
    from mfanalytics.messages.message import Message

    with pytest.raises(ValidationError) as err:
        validate_tiny_list(tiny, tracks=Message(msg).tracks)
    assert err.value.field == field, str(err.value)


@pytest.mark.parametrize("case", list(GOOD))
def test_local_accepts(case):
    from mfanalytics.messages.message import Message

    msg, tiny = GOOD[case]
    out = validate_tiny_list(tiny, tracks=Message(msg).tracks)
    assert [e["index"] for e in out] == list(range(len(tiny or [])))
    assert all(e["type"] in ("REDIRECT", "LOCAL") for e in out)


def test_normalised_values():
    out = validate_tiny_list(
        [
            {
                "index": "0",
                "type": "local",
                "nameToLocalHTML": "soldes.html",
                "b64ZipLocal": ZIP,
                "endOfLife": "30",
                "isOG": "TRUE",
            }
        ],
        tracks=[1],
    )
    assert out[0]["index"] == 0 and out[0]["type"] == "LOCAL" and out[0]["endOfLife"] == 30 and out[0]["isOG"] is True


def test_client_refuses_before_sending(sb):
    client = sb.client()
    before = len(sb.state.campaigns)
    for case in ("get-names-lower-case", "no-tinylist", "label-on-index-1", "png-named-jpg"):
        msg, tiny, field = BAD[case]
        with pytest.raises(ValidationError) as err:
            client.prepare_campaign(msg, recipients=["0639980016"], tiny_list=tiny)
        assert err.value.field == field
    assert len(sb.state.campaigns) == before  # nothing reached the sandbox
    ok = client.prepare_campaign(*GOOD["local-page"][:1], recipients=["0639980016"], tiny_list=GOOD["local-page"][1])
    assert ok.status == "DRAFT"


@pytest.mark.parametrize("case", list(BAD))
def test_sandbox_rule(api, case):
    msg, tiny, field = BAD[case]
    body = {"listRecipient": ["0639980016"], "msg": msg, "startNow": False}
    if tiny is not None:
        body["tinyList"] = tiny
    r = api.post("/campaigns/inject", json=body)
    assert r.status_code == 400, r.text
    assert f"field '{field}'" in r.json()["message"]


@pytest.mark.parametrize("case", list(GOOD))
def test_sandbox_accepts(api, case):
    msg, tiny = GOOD[case]
    sent = api.send(["0639980116"], msg=msg, **({"tinyList": tiny} if tiny else {}))
    assert sent["countValid"] == 1 and [e["index"] for e in sent["tinyList"]] == list(range(len(tiny or [])))


@pytest.mark.parametrize("is_og, previews", [(True, 1), (False, 0), ("false", 0)])
def test_sandbox_records_previews_only_for_og_links(sb, api, is_og, previews):
    # +33 6 39 98 01 xx always clicks and, for an isOG link, previews it at +60 s
    sent = api.send(["0639980116"], msg="Lien ${track_1}", tinyList=[redirect(isOG=is_og)])
    sb.advance(200)
    row = api.report(sent["id"])[0]
    assert row["PREVIEW_COUNTER"] == previews and (row["PREVIEW"] is not None) == bool(previews)
    assert row["TRACK_1_COUNTER"] == 1
