"""The documentation site builds with warnings as errors and holds every page it promises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import mfanalytics

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "MFANALYTICS_DOCS_EXECUTE": "off"}  # the notebooks run in tests/test_notebooks.py
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "docs", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_every_public_name_is_in_the_api_reference():
    listed = set(re.findall(r"^   (\w+)$", (ROOT / "docs" / "api.rst").read_text(encoding="utf-8"), flags=re.M))
    assert sorted(set(mfanalytics.__all__) - listed) == []
    assert sorted(listed - set(mfanalytics.__all__)) == []


def test_the_site_builds_with_every_page(site):
    for page in ("index", "getting-started", "gallery", "api", "sandbox", "promises", "architecture"):
        assert (site / f"{page}.html").is_file(), page
    for name in mfanalytics.__all__:
        assert (site / "_api" / f"mfanalytics.{name}.html").is_file(), name
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert (site / "notebooks" / f"{notebook.stem}.html").is_file(), notebook.name
    for md in sorted((ROOT / "docs").glob("*.md")):
        assert (site / f"{md.stem}.html").is_file(), f"docs/{md.name} is not in the site's toctree"


def test_the_api_pages_are_the_docstrings(site):
    page = (site / "_api" / "mfanalytics.check_compliance.html").read_text(encoding="utf-8")
    assert "Parameters" in page and "Examples" in page and "STOP 36184" in page
    client = (site / "_api" / "mfanalytics.Client.html").read_text(encoding="utf-8")
    for method in ("send_campaign", "send_now", "get_report", "get_reports", "upload_list"):
        assert f'id="mfanalytics.Client.{method}"' in client, method
