"""YAML entries: one mapping, a list of mappings, or a mapping with an `entries:` list.

PyYAML only composes the node graph here; nothing is constructed, so no tag
can run code. This module turns nodes into values itself, which is how it
keeps every scalar a string ("NO" stays "NO", 1.0 stays "1.0") except a
date-looking `date`, catches duplicate keys (PyYAML keeps the last one
silently) and knows the line:column of every value.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mbr.config import Limits
from mbr.fields import field_for_header, looks_like_field_typo, normalise_name
from mbr.intake.base import (
    FileRead,
    too_long_value,
    too_many_entries,
    undecodable_file,
    unreadable,
    unreadable_file,
)
from mbr.intake.headers import TYPO_CHECKED_COLUMNS, typo_message, unique_key
from mbr.intake.values import UndecodableText, cell_text, clean_cell, clean_text, decode_text
from mbr.model import Location, RawValue, Record
from mbr.rules.registry import diagnostic

try:
    from yaml import CSafeLoader as _FastestSafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _FastestSafeLoader  # type: ignore[assignment]


class EntryLoader(_FastestSafeLoader):
    """The loader mbr composes YAML with: safe, libyaml-backed when available."""


class PureEntryLoader(yaml.SafeLoader):
    """The pure-Python equivalent of EntryLoader (both must read alike)."""


_CORE = "tag:yaml.org,2002:"
_NULL, _TIMESTAMP, _MERGE = _CORE + "null", _CORE + "timestamp", _CORE + "merge"
_ALLOWED_TAGS = frozenset(
    _CORE + name
    for name in (
        "str", "int", "float", "bool", "null", "timestamp", "binary",
        "seq", "map", "omap", "pairs", "set", "merge", "value",
    )
)  # fmt: skip
# What the YAML spec (and PyYAML's reader) allows in a stream.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_MAX_DEPTH = 8  # nesting inside one value, merges included
_MAX_NODES = 10_000  # nodes rendered for one value (aliases can multiply them)


class _BadNode(Exception):
    """A node that cannot be an entry or a value; the entry holding it is dropped."""

    def __init__(self, node: Node, message: str, help: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.help = help


def read_yaml(
    data: bytes, source: str, *, loader: type[Any] = EntryLoader, limits: Limits | None = None
) -> FileRead:
    """Records from every document of a YAML file."""
    try:
        text = decode_text(data)
    except UndecodableText as error:
        return undecodable_file(source, error, "save it again as UTF-8 text")
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line, column = _line_column(text, bad.start())
        return unreadable_file(
            Location(source, line=line, column=column),
            f"invalid YAML: character U+{ord(bad.group()):04X} is not allowed in YAML",
            f'remove it, or write it as "\\u{ord(bad.group()):04X}" inside double quotes',
        )
    try:
        documents = list(yaml.compose_all(text, Loader=loader))
    except yaml.MarkedYAMLError as error:
        return unreadable_file(*_syntax_problem(_explained(error, text), text, source))
    except yaml.YAMLError as error:
        return unreadable_file(Location(source), f"invalid YAML: {error}", _SYNTAX_HELP)
    except RecursionError:
        # PyYAML's composer recurses once per level; libyaml stops at 1,000
        # levels with a syntax error, the pure-Python one runs out of stack.
        return unreadable_file(Location(source), _TOO_DEEP, _TOO_DEEP_HELP)
    reader = _EntryReader(source, limits or Limits())
    for root in documents:
        reader.read_document(root)
        if len(reader.result.records) > reader.limits.max_rows:
            reader.result.records.clear()
            reader.result.diagnostics.append(
                too_many_entries(Location(source), reader.limits.max_rows)
            )
            break
    return reader.result


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


_SYNTAX_HELP = (
    'check the indentation and quoting near this line; a value that holds ": " '
    "or starts with a quote, [, {, * or & must be put in quotes"
)
_TOO_DEEP = "invalid YAML: lists or mappings are nested too deeply to read"
_TOO_DEEP_HELP = "an entry is flat `key: value` lines; write nested values as plain text"


def _explained(error: yaml.MarkedYAMLError, text: str) -> yaml.MarkedYAMLError:
    """The pure-Python parser's account of a syntax error.

    libyaml's messages are terser ("found character that cannot start any
    token" without the character); errors are rare, so the file is parsed
    again to report them the same whichever loader ran.
    """
    if "nesting depth" in str(error.problem):
        return error  # libyaml's 1,000-level limit; the pure parser would only exhaust its stack
    try:
        list(yaml.compose_all(text, Loader=PureEntryLoader))
    except yaml.MarkedYAMLError as detailed:
        return detailed
    except RecursionError:
        pass  # nested past Python's stack (libyaml stopped at 1,000 levels): keep its account
    return error


def _syntax_problem(
    error: yaml.MarkedYAMLError, text: str, source: str
) -> tuple[Location, str, str]:
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return Location(source), f"invalid YAML: {error}", _SYNTAX_HELP
    location = Location(source, line=mark.line + 1, column=mark.column + 1)
    message = f"invalid YAML: {error.problem or error.context}"
    if error.problem and error.context:
        context_line = f" on line {error.context_mark.line + 1}" if error.context_mark else ""
        message += f" ({error.context}{context_line})"
    help = _SYNTAX_HELP
    if text[mark.index : mark.index + 1] == "\t":
        help = "indent with spaces, not tabs"
    elif "mapping values are not allowed" in message:
        help = 'put the value in quotes: it holds ": "'
    elif "anchor" in message or "alias" in message:
        help = "define each &anchor once, before any *alias that uses it"
    elif "nesting depth" in message:
        help = _TOO_DEEP_HELP
    return location, message, help


class _EntryReader:
    def __init__(self, source: str, limits: Limits) -> None:
        self._source = source
        self.limits = limits
        self._timestamps = SafeConstructor()
        self.result = FileRead()

    def _at(self, node: Node) -> Location:
        mark = node.start_mark
        return Location(self._source, line=mark.line + 1, column=mark.column + 1)

    def _drop(self, error: _BadNode) -> None:
        self.result.diagnostics.append(unreadable(self._at(error.node), error.message, error.help))

    def read_document(self, root: Node | None) -> None:
        if root is None:
            return
        try:
            _check_tag(root)
            if isinstance(root, ScalarNode):
                if root.tag != _NULL:
                    raise _BadNode(
                        root,
                        f"this YAML document is the single value {_quoted(root.value)}, "
                        "not an entry",
                        "write the entry as `key: value` lines (date, author, team, "
                        "category, summary)",
                    )
            elif isinstance(root, SequenceNode):
                self._read_list(root)
            elif isinstance(root, MappingNode):
                listed = self._entries_list(root)
                if listed is None:
                    self._read_entry(root)
                elif isinstance(listed, SequenceNode):
                    self._read_list(listed)
        except _BadNode as error:
            self._drop(error)

    def _entries_list(self, root: MappingNode) -> Node | None:
        """The value of a top-level `entries:` key holding a list (or nothing)."""
        found: Node | None = None
        for key, value in root.value:
            if not (isinstance(key, ScalarNode) and normalise_name(key.value) == "entries"):
                continue
            if not (isinstance(value, SequenceNode) or value.tag == _NULL):
                continue
            if found is not None:
                self.result.diagnostics.append(
                    diagnostic(
                        "MBR009",
                        f'key "{key.value}" appears twice; only the first list is used',
                        self._at(key),
                        help="merge the two lists under one `entries:` key",
                    )
                )
                continue
            found = value
        return found

    def _read_list(self, sequence: SequenceNode) -> None:
        for position, item in enumerate(sequence.value, start=1):
            try:
                _check_tag(item)
                if isinstance(item, MappingNode):
                    self._read_entry(item)
                elif not (isinstance(item, ScalarNode) and item.tag == _NULL):
                    what = (
                        f"the value {_quoted(item.value)}"
                        if isinstance(item, ScalarNode)
                        else "a list"
                    )
                    raise _BadNode(
                        item,
                        f"list item {position} is {what}, not an entry",
                        "write each entry as `key: value` lines under its `- `",
                    )
            except _BadNode as error:
                self._drop(error)

    def _read_entry(self, node: MappingNode) -> None:
        explicit, merged = _pairs(node, depth=0)
        first_key: dict[str, Node] = {}
        duplicates: list[tuple[str, Node]] = []
        fields: dict[str, RawValue] = {}
        extra: dict[str, str] = {}
        locations: dict[str, Location] = {}
        used: set[str] = set()
        for key_node, value_node, is_merged in [
            *((k, v, False) for k, v in explicit),
            *((k, v, True) for k, v in merged),
        ]:
            key = _key_text(key_node)
            if key in first_key:
                if not is_merged:  # a merged key yields to the entry's own
                    duplicates.append((key, key_node))
                continue
            first_key[key] = key_node
            name = field_for_header(key)
            try:
                value = self._value(name, value_node)
            except _TooLarge:
                # At the key: an alias's node carries the position of its anchor.
                raise _BadNode(
                    key_node,
                    f'the value of "{key}" is nested too deeply or too large',
                    "write it as plain text",
                ) from None
            at = self._at(key_node if value is None else value_node)
            if name is not None and name not in used:
                fields[name] = value
                locations[name] = at
                used.add(name)
                continue
            extra_key = unique_key(key, used)
            used.add(extra_key)
            extra[extra_key] = cell_text(value)
            locations[extra_key] = at
            checked = name is None and len(first_key) <= TYPO_CHECKED_COLUMNS
            alias = looks_like_field_typo(key) if checked else None
            if alias is not None and not is_merged:
                self.result.diagnostics.append(
                    diagnostic("MBR008", typo_message("key", key, alias), self._at(key_node))
                )
        for key, key_node in duplicates:
            first_line = first_key[key].start_mark.line + 1
            self.result.diagnostics.append(
                diagnostic(
                    "MBR009",
                    f'key "{key}" appears twice in this entry (first on line {first_line}); '
                    "the entry is not used",
                    self._at(key_node),
                )
            )
        if duplicates:
            return
        for key, value in (*fields.items(), *extra.items()):
            if isinstance(value, str) and len(value) > self.limits.max_cell_chars:
                at = locations.get(key) or self._at(node)
                self.result.diagnostics.append(
                    too_long_value(at, len(value), self.limits.max_cell_chars)
                )
                return
        self.result.records.append(Record(self._source, self._at(node), fields, locations, extra))

    def _value(self, name: str | None, node: Node) -> RawValue:
        _check_tag(node)
        if isinstance(node, ScalarNode):
            if node.tag == _NULL:
                return None
            if name == "date" and node.tag == _TIMESTAMP:
                try:
                    return clean_cell(self._timestamps.construct_yaml_timestamp(node))
                except ValueError:
                    pass  # 2024-02-30: kept as text, reported as a bad date later
            return clean_text(node.value)
        return clean_text(_Renderer().text(node, depth=0))


def _check_tag(node: Node) -> None:
    if node.tag not in _ALLOWED_TAGS:
        tag = node.tag.replace(_CORE, "!!")
        raise _BadNode(
            node,
            f"the YAML tag {tag} is not allowed",
            "remove the tag: mbr reads plain keys and values only",
        )


Pairs = list[tuple[Node, Node]]


def _pairs(node: MappingNode, depth: int) -> tuple[Pairs, Pairs]:
    """The mapping's own (key, value) pairs, and those it takes from `<<` merges."""
    if depth > _MAX_DEPTH:
        raise _BadNode(node, "merge keys (<<) are nested too deeply", "merge fewer levels")
    explicit: Pairs = []
    merged: Pairs = []
    for key, value in node.value:
        if key.tag != _MERGE:
            explicit.append((key, value))
            continue
        sources = value.value if isinstance(value, SequenceNode) else [value]
        for source in sources:
            if not isinstance(source, MappingNode):
                raise _BadNode(
                    source,
                    "a merge key (<<) must refer to a mapping",
                    "point << at an &anchor of a mapping, e.g. `<<: *defaults`",
                )
            own, inherited = _pairs(source, depth + 1)
            merged += own + inherited
    return explicit, merged


def _key_text(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return str(node.value).strip()
    raise _BadNode(node, "a key must be plain text", "write keys as `name: value`")


def _quoted(text: str) -> str:
    return '"' + (text if len(text) <= 40 else text[:39] + "…") + '"'


class _TooLarge(Exception):
    pass


class _Renderer:
    """A list or mapping value as one line of text ("a, b"; "k: v, k2: v2").

    Bounded, because aliases can make a small file describe a huge value.
    """

    def __init__(self) -> None:
        self._budget = _MAX_NODES

    def text(self, node: Node, depth: int) -> str:
        self._budget -= 1
        if depth > _MAX_DEPTH or self._budget < 0:
            raise _TooLarge
        _check_tag(node)
        if isinstance(node, ScalarNode):
            return "" if node.tag == _NULL else node.value.strip()
        if isinstance(node, SequenceNode):
            parts = (self.text(item, depth + 1) for item in node.value)
        else:
            parts = (
                f"{self.text(key, depth + 1)}: {self.text(value, depth + 1)}".strip(": ")
                for key, value in node.value
            )
        return ", ".join(part for part in parts if part)
