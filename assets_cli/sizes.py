"""The registry of named page and canvas sizes (data in sizes.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from assets_cli.errors import UnknownChoice

Unit = Literal["mm", "in", "px"]
RatioClass = Literal["wide", "landscape", "square", "portrait", "tall"]

PT_PER_UNIT: dict[str, float] = {"mm": 72 / 25.4, "in": 72.0, "px": 0.75}
MM_PER_UNIT: dict[str, float] = {"mm": 1.0, "in": 25.4, "px": 25.4 / 96}
# What print shops ask for: 3 mm in metric countries, an eighth of an inch in the US.
DEFAULT_BLEED: dict[str, float] = {"mm": 3.0, "in": 0.125, "px": 0.0}
MIN_IMAGE_DPI = 300  # photos on paper read at arm's length


@dataclass(frozen=True)
class Size:
    """A named page or canvas: its kind, dimensions in its own unit, default DPI."""

    name: str
    kind: str
    title: str
    width: float
    height: float
    unit: Unit
    dpi: int = 96
    safe: tuple[float, float, float, float] = (0, 0, 0, 0)  # top, right, bottom, left
    bleed: float | None = None  # in the size's unit; None: DEFAULT_BLEED of the unit
    min_image_dpi: int = MIN_IMAGE_DPI  # effective resolution placed pictures need at print size

    @property
    def medium(self) -> Literal["print", "social"]:
        """Where it is seen: pixel canvases on screens, the rest on paper."""
        return "social" if self.unit == "px" else "print"

    @property
    def safe_width(self) -> float:
        return self.width - self.safe[1] - self.safe[3]

    @property
    def safe_height(self) -> float:
        return self.height - self.safe[0] - self.safe[2]

    @property
    def width_pt(self) -> float:
        return self.width * PT_PER_UNIT[self.unit]

    @property
    def height_pt(self) -> float:
        return self.height * PT_PER_UNIT[self.unit]

    @property
    def bleed_pt(self) -> float:
        """How far art runs past the trim on every side for a print shop (0 for screens)."""
        bleed = DEFAULT_BLEED[self.unit] if self.bleed is None else self.bleed
        return bleed * PT_PER_UNIT[self.unit]

    @property
    def width_mm(self) -> float:
        return self.width * MM_PER_UNIT[self.unit]

    @property
    def height_mm(self) -> float:
        return self.height * MM_PER_UNIT[self.unit]

    @property
    def css_size(self) -> str:
        """The page size as CSS `@page { size: … }` understands it."""
        return f"{self.width:g}{self.unit} {self.height:g}{self.unit}"

    def pixels(self, dpi: int | None = None) -> tuple[int, int]:
        """Pixel dimensions of the PNG: exact for px sizes, else at `dpi`."""
        if self.unit == "px":
            return round(self.width), round(self.height)
        dpi = dpi or self.dpi
        return round(self.width_pt / 72 * dpi), round(self.height_pt / 72 * dpi)

    @property
    def ratio(self) -> float:
        """Aspect ratio of the safe area, which is what a layout has to fill."""
        return self.safe_width / self.safe_height

    @property
    def ratio_class(self) -> RatioClass:
        """Which family of layouts fits the safe area's aspect ratio."""
        r = self.ratio
        if r >= 1.9:
            return "wide"
        if r >= 1.15:
            return "landscape"
        if r > 0.87:
            return "square"
        if r >= 0.6:
            return "portrait"
        return "tall"


@cache
def registry() -> tuple[Size, ...]:
    """Every known size, in the order of sizes.toml."""
    data = tomllib.loads(resources.files("assets_cli").joinpath("sizes.toml").read_text("utf-8"))
    return tuple(
        Size(name=name, kind=kind, **{**fields, "safe": tuple(fields.get("safe", (0, 0, 0, 0)))})
        for kind, table in data.items() for name, fields in table.items()
    )


def sizes_for(kind: str) -> list[Size]:
    """All sizes of one kind."""
    return [s for s in registry() if s.kind == kind]


def resolve_sizes(kind: str, names: list[str] | None) -> list[Size]:
    """The sizes asked for by name (all of the kind when none), or UnknownChoice."""
    available = {s.name: s for s in sizes_for(kind)}
    if not names:
        return list(available.values())
    for name in names:
        if name not in available:
            raise UnknownChoice(f"{kind} size", name, available)
    return [available[n] for n in dict.fromkeys(names)]
