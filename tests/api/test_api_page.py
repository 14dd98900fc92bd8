"""The page at /: rendered from its template, served with its static files, locked down by CSP."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.app import STATIC_DIR


def test_page_renders_with_labels_landmarks_and_csp(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "<script>" not in html and " style=" not in html, "no inline script or style under the CSP"
    for landmark in ("<header", "<main", "<aside", "<footer", 'role="tablist"', 'aria-live="polite"'):
        assert landmark in html
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    controls = set(re.findall(r'<(?:select|textarea|input)[^>]* id="([^"]+)"', html))
    assert controls <= labelled, f"controls without a label: {controls - labelled}"


def test_page_assets_are_served_without_a_build_step(client: TestClient) -> None:
    html = client.get("/").text
    for asset in re.findall(r'(?:href|src)="(/static/[^"?]+)', html):
        assert client.get(asset).status_code == 200, asset
    for module in STATIC_DIR.glob("*.js"):
        assert client.get(f"/static/{module.name}").status_code == 200
        imports = re.findall(r'from "\./([^"]+)"', module.read_text(encoding="utf-8"))
        assert all((STATIC_DIR / name).is_file() for name in imports), module.name


def test_page_script_never_assigns_html(client: TestClient) -> None:
    for module in STATIC_DIR.glob("*.js"):
        source = module.read_text(encoding="utf-8")
        assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write", source), module.name
