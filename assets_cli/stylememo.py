"""Computed styles kept from one layout of a page to the next.

The fit pass lays one page out two to a dozen times, changing nothing but the
style attributes of the text it sizes. WeasyPrint computes every element's
style afresh each time, each property on first use (resolving `var()` and
`calc()`): a third of a placard layout. Within one layout it already lets
elements that cascade alike under one parent style share a computed style;
here that key (the parent's style, the element's own declarations, the rules
it matches) is kept across layouts made with the same stylesheets, so a
second layout finds most styles computed. An element whose style attribute
changed has new declarations, so it and everything under it get new styles.

Shared styles must not be changed in place by a layout. WeasyPrint does so in
one place a design can reach, moving the root's `overflow` to the page; that
style is copied first here. Whoever changes a laid-out page's styles
afterwards (`recolour`) calls `forget`.
"""

from __future__ import annotations

from math import inf

import tinycss2
from weasyprint import css
from weasyprint.formatting_structure import build

KEPT = 4  # stylesheet sets remembered: an asset's layouts use one or two
# Styles remembered for one set: a card adds a few (its fitted sizes are its own), a chapter build reuses
# the set card after card; past this the set starts afresh, so a long build's memory stays flat.
STYLES_KEPT = 2000

_init = css.StyleFor.__init__
_set_viewport_overflow = build.set_viewport_overflow
# (font configuration, base URL, the stylesheets) -> {(parent style's id, own declarations, rules): style}.
# The sheets and styles are kept in the key and values, so no id in a key can be reused while it is kept.
_kept: dict[tuple, tuple[list, dict]] = {}


def forget() -> None:
    """Drop every kept style: a page's styles were changed after layout."""
    _kept.clear()


def _computed(sheets, font_config, base_url) -> dict:
    key = (id(font_config), base_url, tuple(id(sheet) for sheet, _, _ in sheets))
    kept = _kept.get(key)
    if kept is None:
        if len(_kept) >= KEPT:
            _kept.pop(next(iter(_kept)))
        kept = _kept[key] = ([font_config, sheets], {})
    else:
        _kept[key] = _kept.pop(key)  # most recently used last
        if len(kept[1]) > STYLES_KEPT:
            kept[1].clear()
    return kept[1]


def style_for_init(self, html, sheets, presentational_hints, font_config, target_collector):
    """WeasyPrint 70's `StyleFor.__init__`, with its cache of equivalent computed styles kept across layouts."""
    self._cascaded_styles = cascaded_styles = {}
    self._computed_styles = computed_styles = {}
    self.initial_page_sizes = {"box": None, "area": None}
    self._sheets = sheets
    self.font_config = font_config

    css.PROGRESS_LOGGER.info("Step 3 - Applying CSS")
    layer_order = inf
    own: dict = {}  # element -> its style attribute's (and lang's, id's) declarations, as text
    for specificity, element, declarations, base_url in css.find_style_attributes(
            html.etree_element, presentational_hints, html.base_url):
        own[element] = (*own.get(element, ()), specificity, tinycss2.serialize(declarations))
        style = cascaded_styles.setdefault((element, None), {})
        for name, values, importance in css.preprocess_declarations(base_url, declarations):
            precedence = css.declaration_precedence("author", importance)
            weight = (precedence, layer_order, specificity)
            old_weight = style.get(name, (None, None))[1]
            if old_weight is None or old_weight <= weight:
                style[name] = values, weight

    computed_cache = _computed(sheets, font_config, html.base_url)
    for element in html.wrapper_element.iter_subtree():
        etree_element = element.etree_element
        parent = element.parent.etree_element if element.parent else None
        parent_id = id(computed_styles[parent, None]) if element.parent else None
        selectors_keys = []
        for sheet, origin, sheet_specificity in sheets:
            for selector in sheet.matcher.match(element):
                specificity, order, pseudo_type, (declarations, layer) = selector
                layer_order = inf if layer is None else sheet.layers.index(layer)
                selectors_keys.append((id(sheet), specificity, id(declarations), layer_order))
                specificity = sheet_specificity or specificity
                style = cascaded_styles.setdefault((etree_element, pseudo_type), {})
                for name, values, importance in declarations:
                    precedence = css.declaration_precedence(origin, importance)
                    weight = (precedence, layer_order, specificity)
                    old_weight = style.get(name, (None, None))[1]
                    if old_weight is None or old_weight <= weight:
                        style[name] = values, weight

        key = (parent_id, own.get(etree_element), tuple(selectors_keys))
        if key in computed_cache:
            computed = computed_styles[etree_element, None] = computed_cache[key]
            if target_collector and computed["anchor"]:
                # The layout that computed the style collected its anchor; this one needs it too (links).
                target_collector.collect_anchor(computed["anchor"])
        else:
            self.set_computed_styles(etree_element, root=html.etree_element, parent=parent,
                                     base_url=html.base_url, target_collector=target_collector)
            computed_cache[key] = computed_styles[etree_element, None]

    for element, pseudo_type in cascaded_styles:
        if pseudo_type:
            self.set_computed_styles(element, pseudo_type=pseudo_type, root=html.etree_element, parent=element,
                                     base_url=html.base_url, target_collector=target_collector)
    self._cascaded_styles.clear()


def set_viewport_overflow(root_box):
    """WeasyPrint's `set_viewport_overflow` on a copy of the style it changes, which may be shared."""
    chosen = root_box
    if root_box.element_tag.lower() == "html" and root_box.style["overflow"] == "visible":
        chosen = next((child for child in root_box.children if child.element_tag.lower() == "body"), root_box)
    root_box.viewport_overflow = chosen.style["overflow"]
    if chosen.style["overflow"] != "visible":
        chosen.style = chosen.style.copy()
        chosen.style["overflow"] = "visible"
    return root_box


def install() -> None:
    """Keep computed styles across layouts (once per process)."""
    css.StyleFor.__init__ = style_for_init
    build.set_viewport_overflow = set_viewport_overflow


def uninstall() -> None:
    """WeasyPrint's own style computation again (tests compare the two)."""
    css.StyleFor.__init__ = _init
    build.set_viewport_overflow = _set_viewport_overflow
    forget()
