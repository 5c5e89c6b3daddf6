"""Nothing breaks for users when modules move (0.2): old paths warn once and work.

The list of old paths is the package as it was before the move (the modules of
0.1), written out here, not read from the code under test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings

import pytest

import mfanalytics

#: every module of mfanalytics 0.1 (before the move into lanes; facts came just before it)
MODULES_01 = [
    "mfanalytics",
    "mfanalytics.facts",
    "mfanalytics.advice",
    "mfanalytics.analysis",
    "mfanalytics.campaign_rules",
    "mfanalytics.charsets",
    "mfanalytics.cli",
    "mfanalytics.client",
    "mfanalytics.connect",
    "mfanalytics.demo",
    "mfanalytics.errors",
    "mfanalytics.export",
    "mfanalytics.gsm7",
    "mfanalytics.html_report",
    "mfanalytics.payloads",
    "mfanalytics.periods",
    "mfanalytics.phones",
    "mfanalytics.plots",
    "mfanalytics.recipients",
    "mfanalytics.renderers",
    "mfanalytics.report_schema",
    "mfanalytics.reports",
    "mfanalytics.sandbox",
    "mfanalytics.sandbox.app",
    "mfanalytics.sandbox.auth",
    "mfanalytics.sandbox.campaign",
    "mfanalytics.sandbox.clock",
    "mfanalytics.sandbox.embedded",
    "mfanalytics.sandbox.engine",
    "mfanalytics.sandbox.faults",
    "mfanalytics.sandbox.inputs",
    "mfanalytics.sandbox.openapi",
    "mfanalytics.sandbox.reports",
    "mfanalytics.sandbox.samples",
    "mfanalytics.sandbox.state",
    "mfanalytics.sandbox.store",
    "mfanalytics.sandbox.swagger",
    "mfanalytics.sandbox.views",
    "mfanalytics.sms",
    "mfanalytics.status_codes",
    "mfanalytics.transport",
    "mfanalytics.trends",
    "mfanalytics.widgets",
    "mfanalytics.widgets.report",
    "mfanalytics.widgets.send",
]

#: old path -> new path, as the release notes give it
NEW_HOME = {
    "mfanalytics.client": "mfanalytics.api.client",
    "mfanalytics.transport": "mfanalytics.api.transport",
    "mfanalytics.payloads": "mfanalytics.api.payloads",
    "mfanalytics.periods": "mfanalytics.api.periods",
    "mfanalytics.sms": "mfanalytics.messages.message",
    "mfanalytics.gsm7": "mfanalytics.messages.gsm7",
    "mfanalytics.renderers": "mfanalytics.messages.renderers",
    "mfanalytics.campaign_rules": "mfanalytics.messages.campaign_rules",
    "mfanalytics.recipients": "mfanalytics.lists",
    "mfanalytics.phones": "mfanalytics.lists.phones",
    "mfanalytics.report_schema": "mfanalytics.reports.schema",
    "mfanalytics.status_codes": "mfanalytics.reports.status_codes",
    "mfanalytics.trends": "mfanalytics.analysis.trends",
    "mfanalytics.advice": "mfanalytics.analysis.advice",
    "mfanalytics.plots": "mfanalytics.analysis.plots",
    "mfanalytics.html_report": "mfanalytics.analysis.html_report",
    "mfanalytics.facts": "mfanalytics.analysis.facts",
}

#: the names the two modules that became lanes had in 0.1 (their __all__ and helpers tests used)
OLD_NAMES = {
    "mfanalytics.reports": (
        "MAX_COLUMNS",
        "MAX_LINE_BYTES",
        "REPORT_COLUMNS",
        "read_report",
        "parse_report",
        "parse_report_json",
    ),
    "mfanalytics.analysis": (
        "summarize",
        "status_breakdown",
        "failure_reasons",
        "by_country",
        "by_hour",
        "compare_campaigns",
        "SUMMARY_COLUMNS",
    ),
}


def _run(code: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_import_mfanalytics_uses_no_old_path_even_with_warnings_as_errors():
    out = _run(
        """
        import sys, mfanalytics, mfanalytics.widgets, mfanalytics.cli, mfanalytics.demo, mfanalytics.sandbox.app
        print(sorted(m for m in sys.modules if m.startswith("mfanalytics")))
        """,
        "-W",
        "error",
    )
    loaded = set(eval(out))
    assert not loaded & set(NEW_HOME), loaded & set(NEW_HOME)


def test_every_old_path_imports_warns_once_naming_the_new_path_and_is_the_new_module():
    out = _run(
        f"""
        import importlib, json, sys, warnings
        old = {MODULES_01!r}
        seen = {{}}
        for name in old:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                exec(f"import {{name}}")
                first = sys.modules[name]
                again = importlib.import_module(name)  # a second import does not warn again
            seen[name] = {{
                "file": first.__name__,
                "same": first is again,
                "warnings": [(w.category.__name__, str(w.message), w.filename) for w in caught],
            }}
        print(json.dumps(seen))
        """
    )
    seen = json.loads(out)
    for name in MODULES_01:
        got = seen[name]
        assert got["same"], name
        if name in NEW_HOME:
            assert got["file"] == NEW_HOME[name], name
            ((category, message, filename),) = got["warnings"]  # exactly one
            assert category == "DeprecationWarning"
            assert NEW_HOME[name] in message and name in message
            assert filename == "<string>"  # points at the importer, not the import system
        else:
            assert got["warnings"] == [], (name, got["warnings"])


def test_old_path_as_attribute_warns_once_and_gives_the_new_module():
    out = _run(
        """
        import json, warnings
        import mfanalytics
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            a = mfanalytics.sms
            b = mfanalytics.sms
            import mfanalytics.sms as c
        import mfanalytics.messages.message as new
        print(json.dumps([a is new and b is new and c is new, [str(w.message) for w in caught], caught[0].filename]))
        """
    )
    same, messages, filename = json.loads(out)
    assert same
    assert len(messages) == 1 and "mfanalytics.messages.message" in messages[0]
    assert filename == "<string>"


@pytest.mark.parametrize("old", sorted(NEW_HOME))
def test_old_path_exposes_the_same_objects(old):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        module = __import__(old, fromlist=["_"])
    new = __import__(NEW_HOME[old], fromlist=["_"])
    assert module is new
    for name in getattr(new, "__all__", ()):
        assert getattr(module, name) is getattr(new, name)


@pytest.mark.parametrize(
    "old, home",
    [("mfanalytics.reports", "mfanalytics.reports.parsing"), ("mfanalytics.analysis", "mfanalytics.analysis.kpis")],
)
def test_modules_that_became_lanes_keep_their_names(old, home):
    package = __import__(old, fromlist=["_"])
    module = __import__(home, fromlist=["_"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in OLD_NAMES[old]:
            assert getattr(package, name) is getattr(module, name)
    # any other name the module had still resolves, once with a warning naming where it lives now
    private = sorted(n for n in vars(module) if n.startswith("_") and not n.startswith("__"))[0]
    vars(package).pop(private, None)
    with pytest.warns(DeprecationWarning, match=home.replace(".", r"\.")):
        assert getattr(package, private) is getattr(module, private)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(package, private) is getattr(module, private)
    with pytest.raises(AttributeError):
        package.no_such_name


def test_every_public_name_still_works():
    for name in mfanalytics.__all__:
        assert getattr(mfanalytics, name) is not None, name
    assert mfanalytics.Client.__module__ == "mfanalytics.api.client"
    assert mfanalytics.read_report is __import__("mfanalytics.reports.parsing", fromlist=["_"]).read_report


def test_renamed_names_keep_working_for_one_release():
    from mfanalytics.api import transport
    from mfanalytics.sandbox import app

    with pytest.warns(DeprecationWarning, match="SendSafety"):
        assert transport.Retry is transport.SendSafety
    assert app.DIGEST_HEADER is transport.DIGEST_HEADER  # one name of the header, for the client and the sandbox
