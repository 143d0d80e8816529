"""QR codes: the tracked URL, validated, as an inline vector SVG."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import qrcode
from markupsafe import Markup

from assets_cli.errors import AssetsError

QUIET_ZONE = 4  # modules of white around the code, as the standard asks
# Version 10 at error correction M holds 213 bytes; beyond it modules get too
# small for a phone to read from a 20 mm print.
MAX_VERSION = 10


@dataclass(frozen=True)
class QR:
    """A QR code for a template: the URL it holds and its SVG."""

    url: str
    svg: Markup
    modules: int  # width in modules, quiet zone included
    version: int


def tracked_url(url: str, *, source: str, medium: str, campaign: str, content: str | None = None,
                utm: bool = True) -> str:
    """`url` with utm_source/medium/campaign (and utm_content) added; kept as is when `utm` is False."""
    if not utm:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    if content:
        query.append(("utm_content", content))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment))


def _svg(matrix: list[list[bool]]) -> str:
    # One rectangle per horizontal run of dark modules keeps the path short.
    n = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" shape-rendering="crispEdges" '
        f'role="img" aria-label="QR code">'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def make_qr(url: str, *, where: str | None = None) -> QR:
    """Encode `url`, refusing anything but http(s) and URLs too long to scan."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AssetsError(f"QR url {url!r} must be an http:// or https:// address", where=where)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    if code.version > MAX_VERSION:
        raise AssetsError(
            f"QR url is {len(url)} characters, too long to scan reliably", where=where,
            hint="use a shorter link (about 150 characters at most, UTM tags included; --no-utm drops them)")
    matrix = code.get_matrix()
    return QR(url=url, svg=Markup(_svg(matrix)), modules=len(matrix), version=code.version)
