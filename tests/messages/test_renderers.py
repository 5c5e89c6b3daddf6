"""The guide's six renderers (section 2.1, ``renderer``): field substitution,
defaultForHeader, HTML escaping where the engine escapes, links, logic that
makes a count an estimate, locally and in the sandbox.

Expected texts are written by hand from the guide's example 2.1.2.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_api import Api

from mfanalytics.errors import MessageError
from mfanalytics.messages import message as sms
from mfanalytics.messages import renderers
from mfanalytics.messages.message import TRACK_PLACEHOLDER, Message, estimate_credits

# guide 2.1.2: the fields of the list and their values
VALUES = {
    "NOM_DU_CHAMP_DE_MA_LISTE_1": "VEEPEE",
    "NOM_DU_CHAMP_DE_MA_LISTE_2": "PROXI LEBON",
    "NOM_DU_CHAMP_DE_MA_LISTE_3": "10h00",
    "NOM_DU_CHAMP_DE_MA_LISTE_4": "BTZ",
    "NOM_DU_CHAMP_DE_MA_LISTE_5": "14554432",
}
# the guide's message, with F1..F5 where its ${NOM_DU_CHAMP_DE_MA_LISTE_n} stand
GUIDE = (
    "Votre colis F1 est disponible dans votre point relais F2 à partir de F3. Votre ref F4F5. "
    "Pas le temps de le récupérer ? Recevez votre colis sur RDV des aujourd'hui en cliquant sur le lien ${track_1}"
)
# typed by hand: what the recipient of the guide's example reads (link as the 22-character placeholder)
EXPECTED = (
    "Votre colis VEEPEE est disponible dans votre point relais PROXI LEBON à partir de 10h00. Votre ref "
    "BTZ14554432. Pas le temps de le récupérer ? Recevez votre colis sur RDV des aujourd'hui en cliquant "
    "sur le lien https://1mf.eu/xxxxxxx"
)
SYNTAX = {
    "BASIC": "${%s}",
    "MEDIASFLOW": "$$[%s]",
    "MEDIASFLOW_B": "$$[record]%s$$",
    "HANDLEBARS": "{{%s}}",
    "EJS": "<%%= %s %%>",
    "VELOCITY": "$%s",
}


def guide_message(renderer: str) -> str:
    text = GUIDE
    for k in range(5, 0, -1):
        text = text.replace(f"F{k}", SYNTAX[renderer] % f"NOM_DU_CHAMP_DE_MA_LISTE_{k}")
    return text


def test_the_table_lists_the_guides_six_renderers():
    assert list(renderers.RENDERERS) == ["BASIC", "MEDIASFLOW", "MEDIASFLOW_B", "HANDLEBARS", "EJS", "VELOCITY"]
    assert sms.RENDERERS is renderers.RENDERERS


@pytest.mark.parametrize("renderer", list(SYNTAX))
def test_guide_example_in_every_renderer(renderer):
    m = Message(guide_message(renderer), renderer=renderer)
    assert m.fields == tuple(VALUES) and m.tracks == (1,) and not m.is_estimate
    out = m.render([VALUES], max_segments=2)
    assert out["text"].tolist() == [EXPECTED]
    # every character is in GSM-7's basic table: one septet each, 153 per part
    assert out["length"].tolist() == [len(EXPECTED)] and out["segments"].tolist() == [math.ceil(len(EXPECTED) / 153)]
    assert estimate_credits(m, [VALUES] * 3, max_segments=2).credits == 3 * math.ceil(len(EXPECTED) / 153)


@pytest.mark.parametrize("renderer", list(SYNTAX))
def test_track_link_counts_as_the_short_link_under_every_renderer(renderer):
    # "Lien : " is 7 characters, the short link 22 (https://1mf.eu/ + 7)
    assert Message("Lien : ${track_1}", renderer=renderer).length == 7 + 22
    own = SYNTAX[renderer] % "track_2"
    m = Message(f"Lien : {own}", renderer=renderer)
    assert m.tracks == (2,) and m.length == 7 + 22 and m.fields == ()
    assert m.render([{"X": "1"}])["text"].tolist() == ["Lien : " + TRACK_PLACEHOLDER]


@pytest.mark.parametrize("renderer", list(SYNTAX))
def test_default_for_header_in_every_renderer(renderer):
    field = SYNTAX[renderer] % "VILLE"
    m = Message(f"Magasin de {field} !", renderer=renderer, defaults={"VILLE": "Paris"})
    out = m.render(pd.DataFrame({"VILLE": ["Lyon", "", None]}))
    assert out["text"].tolist() == ["Magasin de Lyon !", "Magasin de Paris !", "Magasin de Paris !"]
    assert out["error_code"].isna().all()
    without = Message(f"Magasin de {field} !", renderer=renderer).render(pd.DataFrame({"VILLE": ["Lyon", ""]}))
    assert without["error_code"].tolist() == [pd.NA, 5]


def test_handlebars_and_ejs_escape_html_as_their_engines_do():
    people = [{"NOM": "Dupont & Fils <SA>", "Q": 'l\'"été"'}]
    expected = {
        ("HANDLEBARS", "{{NOM}} {{Q}}"): "Dupont &amp; Fils &lt;SA&gt; l&#x27;&quot;été&quot;",
        ("HANDLEBARS", "{{{NOM}}} {{{Q}}}"): 'Dupont & Fils <SA> l\'"été"',
        ("EJS", "<%= NOM %> <%= Q %>"): "Dupont &amp; Fils &lt;SA&gt; l&#39;&#34;été&#34;",
        ("EJS", "<%- NOM %> <%- Q %>"): 'Dupont & Fils <SA> l\'"été"',
        ("BASIC", "${NOM} ${Q}"): 'Dupont & Fils <SA> l\'"été"',
        ("VELOCITY", "$NOM $Q"): 'Dupont & Fils <SA> l\'"été"',
    }
    for (renderer, text), want in expected.items():
        m = Message(text, renderer=renderer)
        out = m.render(people)
        assert out["text"].tolist() == [want], renderer
        assert out["length"].tolist() == [len(want)]  # all basic GSM-7 characters
    # a default is a value too
    m = Message("{{NOM}}", renderer="HANDLEBARS", defaults={"NOM": "A&B"})
    assert m.length == len("A&amp;B") and m.render([{"NOM": ""}])["text"].tolist() == ["A&amp;B"]


def test_velocity_references_and_literal_dollars():
    m = Message("Bonjour $PRENOM. ${NOM}, $!VILLE: 10$ ou 5 $ #1 des ventes", renderer="VELOCITY")
    assert m.fields == ("PRENOM", "NOM", "VILLE") and not m.is_estimate
    out = m.render([{"PRENOM": "Ana", "NOM": "Diaz", "VILLE": "Nice"}])
    assert out["text"].tolist() == ["Bonjour Ana. Diaz, Nice: 10$ ou 5 $ #1 des ventes"]


@pytest.mark.parametrize(
    "renderer, text, construct",
    [
        ("HANDLEBARS", "Bonjour {{#if VIP}}cher client{{/if}} {{PRENOM}}", "{{#if VIP}}"),
        ("HANDLEBARS", "Bonjour {{upper PRENOM}}", "{{upper PRENOM}}"),
        ("HANDLEBARS", "{{#each items}}{{this}}{{/each}}", "{{#each items}}"),
        ("VELOCITY", "#if($VIP)Cher client#end $PRENOM", "#if($VIP)"),
        ("VELOCITY", "#foreach($i in $items)$i#end", "#foreach($i in $items)"),
        ("VELOCITY", "Bonjour $PRENOM.toUpperCase()", "$PRENOM.toUpperCase()"),
        ("VELOCITY", "#set($x = 1)Bonjour", "#set($x = 1)"),
        ("EJS", "<% if (VIP) { %>Cher client<% } %> <%= PRENOM %>", "<% if (VIP) { %>"),
        ("EJS", "Bonjour <%= PRENOM.toUpperCase() %>", "<%= PRENOM.toUpperCase() %>"),
    ],
)
def test_renderer_logic_makes_the_local_count_an_estimate(renderer, text, construct):
    m = Message(text, renderer=renderer)
    assert m.is_estimate and construct in m.logic
    assert construct in m.estimate_reason and renderer in m.estimate_reason
    assert "estimate" in repr(m)
    est = estimate_credits(m, [{"PRENOM": "Ana", "VIP": "1"}])
    assert est.is_estimate and est.estimate_reason == m.estimate_reason and "estimate" in repr(est)


@pytest.mark.parametrize("renderer", ["BASIC", "MEDIASFLOW", "MEDIASFLOW_B"])
def test_renderers_without_logic_never_estimate(renderer):
    m = Message("{{#if x}} #if($x) <% x %> " + SYNTAX[renderer] % "PRENOM", renderer=renderer)
    assert not m.is_estimate and m.fields == ("PRENOM",)
    assert m.render([{"PRENOM": "Ana"}])["text"].tolist() == ["{{#if x}} #if($x) <% x %> Ana"]


def test_unknown_renderer_names_the_field():
    with pytest.raises(MessageError) as err:
        Message("Bonjour", renderer="MUSTACHE")
    assert err.value.field == "renderer" and all(name in str(err.value) for name in SYNTAX)
    assert Message("x", renderer="handlebars").renderer == "HANDLEBARS"


def test_render_stays_columnar_on_many_rows():
    n = 60_000
    frame = pd.DataFrame({"NOM": pd.array([f"A&{i % 7}" for i in range(n)], dtype="string")})
    out = Message("Bonjour {{NOM}} {{{NOM}}}", renderer="HANDLEBARS").render(frame)
    assert len(out) == n and out["text"].iloc[8] == "Bonjour A&amp;1 A&1"
    assert out["length"].iloc[8] == len("Bonjour A&amp;1 A&1")


# ---------------------------------------------------------------- the sandbox
@pytest.mark.parametrize("renderer", list(SYNTAX))
def test_sandbox_renders_every_renderer(sb, renderer):
    sb.add_user("long", "pw", max_segments=2)
    api = Api(sb, "long", "pw")
    recipient = {"mobile": "0639980016", "extendedKeys": [{"keyName": k, "keyValue": v} for k, v in VALUES.items()]}
    tiny = [
        {"index": 0, "type": "REDIRECT", "urlToRedirect": "http://www.monurl.com/?REF=${NOM_DU_CHAMP_DE_MA_LISTE_5}"}
    ]
    sent = api.send([recipient], msg=guide_message(renderer), renderer=renderer, tinyList=tiny)
    assert sent["renderer"] == renderer and sent["countValid"] == 1
    assert sent["creditCount"] == math.ceil(len(EXPECTED) / 153)
    sample = requests.get(sb.root + f"/_sandbox/campaigns/{sent['id']}", timeout=10).json()["sample"][0]
    head, link = sample["text"][:-22], sample["text"][-22:]
    assert head == EXPECTED[:-22] and link.startswith("https://1mf.eu/") and link != TRACK_PLACEHOLDER


@pytest.mark.parametrize(
    "renderer, text, construct",
    [
        ("HANDLEBARS", "Bonjour {{#if VIP}}cher{{/if}}", "{{#if VIP}}"),
        ("VELOCITY", "#foreach($i in $l)$i#end", "#foreach($i in $l)"),
        ("EJS", "<% if (VIP) { %>cher<% } %>", "<% if (VIP) { %>"),
    ],
)
def test_sandbox_refuses_logic_it_cannot_render(api, renderer, text, construct):
    r = api.post(
        "/campaigns/inject",
        json={"listRecipient": ["0639980016"], "msg": text, "renderer": renderer, "startNow": False},
    )
    assert r.status_code == 400
    said = r.json()["message"]
    assert construct in said and renderer in said and "msg" in said


def test_client_sends_every_renderer_and_counts_like_the_sandbox(sb):
    client = sb.client()
    for renderer in SYNTAX:
        field = SYNTAX[renderer] % "PRENOM"
        text = f"Bonjour {field} ${{track_1}}"
        people = [{"mobile": "0639980016", "PRENOM": "Zoé"}, {"mobile": "0639980020", "PRENOM": "Ana"}]
        local = estimate_credits(Message(text, renderer=renderer), people)
        sent = client.send_campaign(
            text, recipients=people, renderer=renderer, tiny_list=[{"index": 0, "urlToRedirect": "https://example.org"}]
        )
        assert sent["renderer"] == renderer and sent["creditCount"] == local.credits == 2


@settings(derandomize=True, max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), min_size=1, max_size=6))
def test_any_value_is_substituted_alike_by_every_renderer(values):
    # a value is never read as template text, and only {{F}} / <%= F %> change it (HTML escaping)
    frame = pd.DataFrame({"V": pd.array(values, dtype="string")}).replace("", "-")
    plain = {
        "BASIC": "<${V}>",
        "MEDIASFLOW": "<$$[V]>",
        "MEDIASFLOW_B": "<$$[record]V$$>",
        "VELOCITY": "<$V>",
        "HANDLEBARS": "<{{{V}}}>",
        "EJS": "<<%- V %>>",
    }
    expected = ["<" + v + ">" for v in frame["V"]]
    for renderer, text in plain.items():
        assert Message(text, renderer=renderer, allow_ucs2=True).render(frame)["text"].tolist() == expected, renderer
    hbs = Message("{{V}}", renderer="HANDLEBARS", allow_ucs2=True).render(frame)["text"].tolist()
    ejs = Message("<%= V %>", renderer="EJS", allow_ucs2=True).render(frame)["text"].tolist()
    for v, h, e in zip(frame["V"], hbs, ejs):
        assert ("&" in h or "&" not in v) and "<" not in h and ">" not in h and "'" not in h and '"' not in h
        assert ("&" in e or "&" not in v) and "<" not in e and ">" not in e and "'" not in e and '"' not in e
