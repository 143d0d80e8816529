"""QR codes: the tracked URL, validated, as an inline vector SVG."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode, urlsplit, urlunsplit

import qrcode
from markupsafe import Markup

from assets_cli.errors import AssetsError

QUIET_ZONE = 4  # modules of white around the code, as the standard asks
# Version 10 at error correction M holds 213 bytes; beyond it modules get too
# small for a phone to read from a 20 mm print.
MAX_VERSION = 10
# Far beyond what version 10 holds in any mode: refused without asking the encoder.
MAX_QR_CHARS = 1000
TOO_LONG_HINT = "use a shorter link (about 150 characters at most, UTM tags included; --no-utm drops them)"
# A host name: dot-separated labels of letters, digits, hyphens and underscores
# (any script, for internationalised domains), not starting or ending with a
# hyphen; or an IP address (urlsplit checks [IPv6] itself).
_HOST_LABEL = re.compile(r"^(?!-)[\w-]+(?<!-)$")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a link or QR target, as a phrase ("url '…' must be …"), or None when it can."""
    shown = repr(url if len(url) <= 80 else url[:77] + "...")
    scheme, colon, _ = url.partition(":")
    if not colon or scheme.lower() not in ("http", "https"):
        return f"url {shown} must be an http:// or https:// address"
    for char in url:
        # Spaces and invisible characters make a link that looks right and leads nowhere.
        if unicodedata.category(char)[0] in "CZ":
            what = "a space" if char.isspace() else "an invisible character"
            return f"url {shown} contains {what} ({_describe(char)})"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # an unclosed [IPv6] bracket, a port that is not a number
        return f"url {shown} is not a valid address ({exc})"
    if not parts.netloc:
        return f"url {shown} must be an http:// or https:// address"
    if parts.username is not None or parts.password is not None:
        return f"url {shown} has a user name or password in it"
    host = parts.hostname or ""
    if not host:
        return f"url {shown} has no host name"
    if ":" not in host and not all(_HOST_LABEL.match(label) for label in host.removesuffix(".").split(".")):
        return f"url {shown} has an invalid host name {host!r}"
    if port == 0:
        return f"url {shown} has an invalid port"
    return None


@dataclass(frozen=True)
class QR:
    """A QR code for a template: the URL it holds and its SVG.

    The code's size is known when it is planned; its modules are drawn only
    when a template needs them (a rebuild that keeps every file draws none).
    """

    url: str
    version: int

    @property
    def modules(self) -> int:
        """Width in modules, quiet zone included."""
        return 4 * self.version + 17 + 2 * QUIET_ZONE

    @property
    def svg(self) -> Markup:
        return _drawn(self.url, self.version)

    @property
    def shown(self) -> DrawnWhenShown:
        """The SVG for a template, drawn only if it is printed."""
        return DrawnWhenShown(self.url, self.version)


@dataclass(frozen=True)
class DrawnWhenShown:
    """A QR code's SVG as a template sees it: drawn when the template prints it, so a page without the code
    (a social card) draws none. Each chapter's code holds its own link, so its drawing is not shared."""

    url: str
    version: int

    def __html__(self) -> str:
        return str(_drawn(self.url, self.version))

    def __str__(self) -> str:
        return self.__html__()


@lru_cache(maxsize=64)
def _drawn(url: str, version: int) -> Markup:
    # Choosing the mask takes most of the time (eight patterns scored); a build asks for a few URLs hundreds of times.
    code = qrcode.QRCode(version=version, error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=False)
    return Markup(_svg(code.get_matrix()))


def tracked_url(url: str, *, source: str, medium: str, campaign: str, content: str | None = None,
                utm: bool = True) -> str:
    """`url` with utm_source/medium/campaign (and utm_content) added; kept as is when `utm` is False."""
    if not utm:
        return url
    parts = urlsplit(url)
    # The link's own parameters stay byte for byte as written (decoding and
    # re-encoding them would turn %zz into %25zz, `a` into `a=`, `;` into %3B);
    # only earlier utm_ tags are replaced.
    kept = [item for item in parts.query.split("&") if item and not item.startswith("utm_")]
    tags = [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    if content:
        tags.append(("utm_content", content))
    query = "&".join([*kept, urlencode(tags)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))


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
    if problem := url_problem(url):
        raise AssetsError(f"QR {problem}", where=where)
    too_long = AssetsError(f"QR url is {len(url)} characters, too long to scan reliably", where=where,
                           hint=TOO_LONG_HINT)
    if len(url) > MAX_QR_CHARS:
        raise too_long
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url)
    try:
        code.best_fit()
    except ValueError:  # qrcode's DataOverflowError: more than version 40 holds
        raise too_long from None
    if code.version > MAX_VERSION:
        raise too_long
    return QR(url=url, version=code.version)
