"""The Swagger page at ``/MediasflowApi``, as the guide's section 1.3 describes
it, served entirely by the sandbox: Swagger UI's scripts and styles come from
the ``swagger-ui-bundle`` package (a ``sandbox`` extra), never from a CDN, so
the page works offline. No validator badge (it would call
validator.swagger.io).
"""

from __future__ import annotations

import html

__all__ = ["ASSETS", "swagger_assets", "swagger_page"]

#: Where the page's scripts and styles are served.
ASSETS = "/MediasflowApi/static"


def swagger_assets() -> str | None:
    """The folder of Swagger UI's files inside ``swagger-ui-bundle``, or None if it is not installed."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return str(swagger_ui_path)


def swagger_page(title: str, openapi_url: str) -> str:
    """The HTML of the page; every URL it loads is on the sandbox itself."""
    if swagger_assets() is None:
        return (
            f"<!doctype html><html><head><title>{html.escape(title)} (Swagger)</title></head><body>"
            "<h1>Swagger UI is not installed</h1><p>pip install 'mfanalytics[sandbox]' (it brings swagger-ui-bundle); "
            f"the contract is at <a href='{openapi_url}'>{openapi_url}</a>.</p></body></html>"
        )
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} - Swagger UI</title>
<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png">
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: "{openapi_url}",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  displayRequestDuration: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}});
</script>
</body>
</html>
"""
