"""The styles a report uses, looked up in the reference document's styles.xml.

Word silently ignores a style that is not defined, so a missing style would
give an unstyled report. Instead, a style the template uses but the
reference lacks is copied (with the styles it is based on) from mbr's
packaged reference, and the caller tells the user; a style defined nowhere
is a TemplateError.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from mbr.errors import TemplateError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W_NS + "}"

Element = Any  # an lxml element (lxml ships no type stubs)

# The styles Word uses for comments, by the names Word gives them.
COMMENT_STYLES = (("paragraph", "annotation text"), ("character", "annotation reference"))


class StyleBook:
    """The styles of one styles.xml, looked up by name or id, case-insensitively.

    Word stores some built-in names in lower case ("heading 1", "header");
    templates use the names people see ("Heading 1", "Header").
    """

    def __init__(self, styles_element: Element) -> None:
        self.element = styles_element
        self.by_key: dict[tuple[str, str], Element] = {}
        self.by_style_id: dict[str, Element] = {}
        for style in styles_element.iterfind(_W + "style"):
            self._index(style)

    def _index(self, style: Element) -> None:
        kind = style.get(_W + "type", "paragraph")
        style_id = style.get(_W + "styleId", "")
        self.by_style_id.setdefault(style_id, style)
        name = style.find(_W + "name")
        keys = [style_id]
        if name is not None:
            keys.insert(0, name.get(_W + "val", ""))
        for key in keys:
            self.by_key.setdefault((kind, key.casefold()), style)

    def find(self, kind: str, name: str) -> Element | None:
        return self.by_key.get((kind, name.casefold()))

    def style_id(self, kind: str, name: str) -> str:
        style = self.find(kind, name)
        if style is None:  # ensure_styles has made sure every used style exists
            raise KeyError(f"{kind} style {name!r}")
        return str(style.get(_W + "styleId"))

    def tab_positions(self, style_id: str | None) -> set[str]:
        """Positions of the tab stops a paragraph style sets, through its basedOn chain."""
        positions: set[str] = set()
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_style_id.get(style_id)
            if style is None:
                break
            for stop in style.iterfind(f"{_W}pPr/{_W}tabs/{_W}tab"):
                if stop.get(_W + "val") != "clear":
                    positions.add(stop.get(_W + "pos", "0"))
            based_on = style.find(_W + "basedOn")
            style_id = based_on.get(_W + "val") if based_on is not None else None
        return positions

    def add(self, style: Element) -> None:
        self.element.append(style)
        self._index(style)


class StyleResolver:
    """Style names the template uses -> style ids in the output's styles.xml.

    A style the reference document lacks is copied, with the styles it is
    based on, from mbr's packaged reference the first time it is used, and
    named in `notes()`. A style neither defines is a TemplateError.
    """

    def __init__(
        self, styles: StyleBook, *, packaged: Callable[[], StyleBook], template_name: str
    ) -> None:
        self.styles = styles
        self._packaged = packaged
        self._defaults: StyleBook | None = None
        self.template_name = template_name
        self.copied: list[str] = []

    def style_id(self, kind: str, name: str) -> str:
        style = self.styles.find(kind, name)
        if style is None:
            style = self._copy(kind, name)
        return str(style.get(_W + "styleId"))

    def tab_positions(self, style_id: str | None) -> set[str]:
        return self.styles.tab_positions(style_id)

    def _copy(self, kind: str, name: str) -> Element:
        if self._defaults is None:
            self._defaults = self._packaged()
        source = self._defaults.find(kind, name)
        if source is None:
            raise TemplateError(
                f"{self.template_name} uses the {kind} style {name!r}, which neither the "
                "reference document nor mbr's built-in reference defines",
                hint="add it to your reference document (start from templates/reference.docx "
                "and save it under a new name), or use a defined style name in the template",
            )
        _copy_style(source, self.styles, self._defaults)
        style = self.styles.find(kind, name)
        if style is None:  # the reference uses mbr's style id for a different style
            raise TemplateError(
                f"the reference document lacks the {kind} style {name!r} and uses its style "
                "id for another style, so mbr cannot add its own",
                hint="add the style to your reference document (start from "
                "templates/reference.docx)",
            )
        if (kind, name) not in COMMENT_STYLES:
            self.copied.append(name)
        return style

    def notes(self) -> list[str]:
        if not self.copied:
            return []
        return [
            f"the reference document lacks the style(s) {', '.join(self.copied)}; used mbr's "
            "built-in definitions (define them in your reference document to control their "
            "look; templates/reference.docx has them all)"
        ]


def _copy_style(style: Element, target: StyleBook, source: StyleBook) -> None:
    """Copy `style` and the styles it names (basedOn, next, link) that `target` lacks."""
    if style.get(_W + "styleId") in target.by_style_id:
        return
    target.add(copy.deepcopy(style))
    for tag in ("basedOn", "next", "link"):
        ref = style.find(_W + tag)
        if ref is None:
            continue
        dependency = source.by_style_id.get(ref.get(_W + "val", ""))
        if dependency is not None:
            _copy_style(dependency, target, source)
