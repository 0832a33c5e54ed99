"""The source spec's CSS selectors, compiled once and matched on libxml2's tree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import cssselect
from cssselect import HTMLTranslator
from lxml import etree

from newscrawl.cleaning.tree import Element

_Condition: TypeAlias = Callable[[Element], bool]


class Selectors:
    """CSS selectors of :mod:`newscrawl.sources.eastmoney`, compiled once.

    A compound selector (a type, classes, an id, attribute tests: all the
    source's are) is matched in Python, element by element during the one
    walk of the tree, as soupsieve matched it on BeautifulSoup's tree
    (classes are split at any white space).  A selector beyond that
    (combinators, pseudo-classes) is translated to XPath by cssselect and
    evaluated once per body.
    """

    def __init__(self, selectors: tuple[str, ...]) -> None:
        #: type (``*``: any) -> the condition lists of the selectors of that type
        self._compound: dict[str, list[list[_Condition]]] = {}
        translator = HTMLTranslator()
        xpaths: list[str] = []
        for css in selectors:
            for selector in cssselect.parse(css):
                compiled = _compile_compound(selector)
                if compiled is None:
                    xpaths.append(translator.selector_to_xpath(selector, prefix="descendant::"))
                else:
                    tag, conditions = compiled
                    self._compound.setdefault(tag, []).append(conditions)
        self._xpath = etree.XPath(" | ".join(xpaths)) if xpaths else None
        #: types matched by a selector without conditions (an element without attributes)
        self.bare: frozenset[str] = frozenset(
            tag for tag, lists in self._compound.items() if any(not c for c in lists)
        )
        self._for_tag: dict[str, tuple[list[_Condition], ...]] = {}

    def by_xpath(self, body: Element) -> set[Element]:
        """The elements of ``body`` that the XPath selectors match."""
        return set() if self._xpath is None else set(self._xpath(body))

    def matches(self, element: Element, tag: str) -> bool:
        """Whether a compound selector matches ``element`` (of type ``tag``)."""
        candidates = self._for_tag.get(tag)
        if candidates is None:
            candidates = self._for_tag[tag] = (
                *self._compound.get(tag, ()), *self._compound.get("*", ())
            )
        for conditions in candidates:
            for condition in conditions:
                if not condition(element):
                    break
            else:
                return True
        return False


def _compile_compound(selector: cssselect.Selector) -> tuple[str, list[_Condition]] | None:
    """The type and conditions of a compound selector; None for anything else."""
    if selector.pseudo_element is not None:
        return None
    conditions: list[_Condition] = []
    node = selector.parsed_tree
    while not isinstance(node, cssselect.parser.Element):
        if isinstance(node, cssselect.parser.Class):
            conditions.append(_has_class(node.class_name))
        elif isinstance(node, cssselect.parser.Hash):
            conditions.append(_attribute_test("id", "=", node.id))
        elif (isinstance(node, cssselect.parser.Attrib) and node.namespace is None
              and node.flag is None and node.operator in _ATTRIBUTE_OPERATORS):
            value = "" if node.value is None else getattr(node.value, "value", node.value)
            conditions.append(_attribute_test(node.attrib.lower(), node.operator, value))
        else:
            return None
        node = node.selector
    if node.namespace is not None:
        return None
    return (node.element or "*").lower(), conditions


_ATTRIBUTE_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "exists": lambda actual, wanted: True,
    "=": lambda actual, wanted: actual == wanted,
    "~=": lambda actual, wanted: wanted in actual.split() and not any(c.isspace() for c in wanted),
    "|=": lambda actual, wanted: actual == wanted or actual.startswith(wanted + "-"),
    "^=": lambda actual, wanted: bool(wanted) and actual.startswith(wanted),
    "$=": lambda actual, wanted: bool(wanted) and actual.endswith(wanted),
    "*=": lambda actual, wanted: bool(wanted) and wanted in actual,
}


def _attribute_test(name: str, operator: str, wanted: str) -> _Condition:
    test = _ATTRIBUTE_OPERATORS[operator]

    def condition(element: Element) -> bool:
        actual = element.get(name)
        return actual is not None and test(actual, wanted)

    return condition


def _has_class(name: str) -> _Condition:
    def condition(element: Element) -> bool:
        return name in (element.get("class") or "").split()

    return condition
