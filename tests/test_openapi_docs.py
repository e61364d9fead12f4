"""/docs works offline: the page and every asset it references come from this app."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


def test_docs_page_references_only_this_app(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    urls = _references(html)
    assert "/docs/assets/swagger-ui-bundle.js" in urls
    assert "/docs/assets/swagger-ui.css" in urls
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"/docs loads {url} from another host"
    # the document itself comes from the app, and Swagger UI's online validator is off
    assert 'url: "/openapi.json"' in html
    assert '"validatorUrl":null' in html


def test_every_docs_asset_is_served(client):
    html = client.get("/docs").get_data(as_text=True)
    kinds = {".js": "text/javascript", ".css": "text/css"}
    for url in _references(html):
        with client.get(url) as response:  # a file response: closed when read
            assert response.status_code == 200, url
            assert response.mimetype == kinds[url[url.rindex(".") :]], url
            body = response.get_data()
        assert len(body) > 10_000, url  # the real bundle, not an error page
        # an asset's own references (source maps) resolve here too
        for mapped in re.findall(rb"sourceMappingURL=([\w.-]+)", body):
            with client.get(f"/docs/assets/{mapped.decode()}") as source_map:
                assert source_map.status_code == 200, mapped
    with client.get("/docs/assets/swagger-ui-bundle.js") as bundle:
        assert b"SwaggerUIBundle" in bundle.get_data()


def test_unknown_docs_asset_is_a_problem(client):
    response = client.get("/docs/assets/no-such-file.js")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
