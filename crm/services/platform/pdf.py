"""HTML pages printed to PDF with WeasyPrint (docs/training.md). The document may only read the
application's own static files: any other address (another site, a local file) is refused, so a text
typed by a user can never make the server fetch something."""

from pathlib import Path
from urllib.parse import urlsplit

STATIC_PREFIX = "/static/"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are not installed."""


def static_fetcher(static_folder: Path):
    """A WeasyPrint URL fetcher that serves only files under the static folder."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = static_folder.resolve()

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = urlsplit(url).path
            target = (root / path.removeprefix(STATIC_PREFIX)).resolve()
            if (not path.startswith(STATIC_PREFIX) or not target.is_relative_to(root)
                    or not target.is_file()):
                raise ValueError(f"refused: {url}")
            return URLFetcherResponse(url, body=target.read_bytes(),
                                      headers={"Content-Type": mime_type(target)})

    return StaticFetcher()


def mime_type(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
            ".woff2": "font/woff2"}.get(path.suffix, "application/octet-stream")


def html_to_pdf(html: str, base_url: str, static_folder: Path) -> bytes:
    """The PDF of an HTML page whose stylesheets are the app's static files."""
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango missing: WeasyPrint cannot load
        raise PdfUnavailable(str(error)) from error
    document = HTML(string=html, base_url=base_url, url_fetcher=static_fetcher(static_folder))
    return document.write_pdf()
