"""The URL fetcher for designs: their own folder, fonts/ and data: URIs, nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname
from xml.etree import ElementTree

from weasyprint.urls import FatalURLFetchingError, URLFetcher

from assets_cli.pictures import SVG_SUFFIX, image_problem

_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]*)\3""", re.IGNORECASE)


class RefusedResource(FatalURLFetchingError):
    """A template asked for something outside what designs may read.

    A BaseException (via WeasyPrint's fatal error) so that WeasyPrint does not
    swallow it as a missing image: a refused fetch stops the render.
    """

    def __init__(self, url: str, via: Path | None = None):
        super().__init__(url)
        self.url = url
        self.via = via  # the SVG picture that asked for it, when it was one


class UnreadableResource(FatalURLFetchingError):
    """A file a design may load, but cannot be used: a picture that is not a picture.

    Fatal for the same reason as RefusedResource: WeasyPrint would log it and
    leave a hole where the picture should be.
    """

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DesignFetcher(URLFetcher):
    """Serves files under the allowed folders and data: URIs; refuses the rest."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [root.resolve() for root in roots]
        self._checked: dict[tuple[Path, int, int], tuple[str, str] | None] = {}

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
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve()
        except (OSError, ValueError):  # a NUL byte, a path too long
            return None
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None

    def missing(self, url: str) -> Path | None:
        """The path `url` names inside an allowed folder when there is no such file there, else None."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve()
        except (OSError, ValueError):
            return None
        if any(path.is_relative_to(root) for root in self.roots) and not path.exists():
            return path
        return None

    def _check(self, url: str, path: Path) -> None:
        """Refuse a broken picture, or an SVG that would load what the design may not."""
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        if key not in self._checked:
            problem = image_problem(path)
            refused = self._svg_reference(url, path) if problem is None and path.suffix.lower() == SVG_SUFFIX else None
            self._checked[key] = ("unreadable", problem) if problem else ("refused", refused) if refused else None
        verdict = self._checked[key]
        if verdict is not None and verdict[0] == "refused":
            raise RefusedResource(verdict[1], via=path)
        if verdict is not None:
            raise UnreadableResource(path, verdict[1])

    def _svg_reference(self, url: str, path: Path) -> str | None:
        """The first file or address the SVG at `path` would load that designs may not, else None."""
        # WeasyPrint draws SVG pictures late, while writing the PDF, and only
        # logs what it cannot load then: an SVG that reaches out is refused here.
        for element in ElementTree.parse(path).iter():
            tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
            references = [] if tag == "a" else [element.get("href"), element.get(_XLINK_HREF)]  # links are not loaded
            for css in (element.get("style"), element.text if tag == "style" else None):
                references += [match.group(2) or match.group(4) for match in _CSS_URL.finditer(css or "")]
            for reference in references:
                if not reference or reference.strip().startswith("#"):
                    continue
                target = urljoin(url, reference.strip())
                if self.allows(target) is None:
                    return target
        return None

    def fetch(self, url, headers=None):
        allowed = self.allows(url)
        if allowed is None:
            raise RefusedResource(url)
        if isinstance(allowed, Path):
            self._check(url, allowed)
        target = allowed if isinstance(allowed, str) else allowed.as_uri()
        return super().fetch(target, headers)
