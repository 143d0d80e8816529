"""The URL fetcher for designs: their own folder, fonts/ and data: URIs, nothing else."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher


class RefusedResource(FatalURLFetchingError):
    """A template asked for something outside what designs may read.

    A BaseException (via WeasyPrint's fatal error) so that WeasyPrint does not
    swallow it as a missing image: a refused fetch stops the render.
    """

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


class DesignFetcher(URLFetcher):
    """Serves files under the allowed folders and data: URIs; refuses the rest."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [root.resolve() for root in roots]

    def allows(self, url: str) -> Path | str | None:
        """The resolved path (or data: URL) this fetcher would serve, else None."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return url
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        # Resolving follows symlinks and `..`, so a link inside a design that
        # points elsewhere is judged by where it really leads.
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None

    def fetch(self, url, headers=None):
        allowed = self.allows(url)
        if allowed is None:
            raise RefusedResource(url)
        target = allowed if isinstance(allowed, str) else allowed.as_uri()
        return super().fetch(target, headers)
