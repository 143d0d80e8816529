"""C array types for WeasyPrint's cffi calls, made without parsing.

WeasyPrint subsets each font of a PDF by passing HarfBuzz its glyph ids as
`ffi.new(f"hb_codepoint_t[{count}]", ...)`: every new count is a new type
name, and cffi parses each name once per process with pycparser, which
re-reads every typedef WeasyPrint declared: 4 to 8 ms a name, some 200 ms of
a worker's first card and more with every glyph count it meets after. A name
of the form `T[N]` is answered here from T (parsed once) as cffi's parser
would: the same type object, from cffi's own cache.
"""

from __future__ import annotations

import re

from cffi import model
from weasyprint.text.ffi import ffi

_ARRAY = re.compile(r"\s*([A-Za-z_][\w ]*?)\s*\[\s*(\d+)\s*\]\s*")


class ParsedTypes(dict):
    """cffi's cache of parsed type names (name → (type, is a raw function)), filling in `T[N]` itself."""

    def __init__(self, parsed, ffi_):
        super().__init__(parsed)
        self._ffi = ffi_
        self._items: dict[str, model.BaseTypeByIdentity] = {}

    def __missing__(self, name):
        match = _ARRAY.fullmatch(name) if isinstance(name, str) else None
        if match is None:
            raise KeyError(name)  # cffi parses it
        with self._ffi._lock:
            try:
                item = self._items.get(match[1])
                if item is None:
                    item = self._items[match[1]] = self._ffi._parser.parse_type(f"{match[1]}[]").item
                result = (self._ffi._get_cached_btype(model.ArrayType(item, int(match[2]))), False)
            except Exception:  # noqa: BLE001 - cffi parses the whole name and says what is wrong with it
                raise KeyError(name) from None
        self[name] = result
        return result


def install() -> None:
    """Answer array type names without parsing (once per process)."""
    # cffi's internals, as of cffi 1.x; another cffi without them parses every name as before.
    if all(hasattr(ffi, name) for name in ("_parsed_types", "_parser", "_get_cached_btype", "_lock")) and (
            not isinstance(ffi._parsed_types, ParsedTypes)):
        ffi._parsed_types = ParsedTypes(ffi._parsed_types, ffi)
