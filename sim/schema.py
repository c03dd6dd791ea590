"""What scenarios and sweep specs share: how a field is declared, checked, explained when it is
wrong, and read from YAML.

- :class:`Section`: a group of fields that refuses unknown keys, non-finite numbers
  (``.inf``, ``.nan``), ``true``/``false`` where a number is expected and anything but
  ``true``/``false`` where a boolean is expected, and that cannot be changed once built.
- :func:`P`: a parameter with its unit, range, role, the plan clause it models and the source
  of its number.
- :class:`InputError` (``ScenarioError`` and ``SpecError`` are its kinds): one ``path: problem``
  line per cause, each line and the list bounded in length.
- :func:`messages`: pydantic's validation errors as those lines.
- :func:`read_mapping`: a YAML file read safely, or refused with one message: not a regular
  file, larger than :data:`MAX_FILE_BYTES`, not UTF-8, a syntax error, a key given twice,
  nesting deeper than :data:`MAX_DEPTH`, aliases (``*name``) that expand beyond
  :data:`MAX_NODES` values, empty, or not a mapping at the top.

YAML anchors and aliases are allowed (``&fees {fee_rate: 0.01}`` … ``*fees``), but a file
whose aliases expand to more than :data:`MAX_NODES` values is refused before it is built, so
an "alias bomb" of a few hundred bytes cannot fill the memory or the error message.
"""

from __future__ import annotations

import errno
import os
import stat
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from sim.errors import DataMarketError

MAX_FILE_BYTES = 1 << 20  # 1 MiB: a scenario is a few kilobytes
MAX_DEPTH = 32  # nesting of mappings and lists; a scenario needs 5
MAX_NODES = 100_000  # values in a file once its aliases are expanded
MAX_ECHO = 80  # characters of user input repeated in a message
MAX_LINES = 40  # problems listed in one error

ROLES = ("lever", "uncertainty", "constant")


def shorten(value: Any, limit: int = MAX_ECHO) -> str:
    """``repr(value)`` cut to ``limit`` characters with "…", for echoing input in messages."""
    return clip(repr(value), limit)


class InputError(DataMarketError, ValueError):
    """A file or mapping that cannot be used; ``errors`` lists one ``path: problem`` line per
    cause (at most :data:`MAX_LINES`, then how many more)."""

    kind = "input"

    def __init__(self, errors: list[str], source: str | None = None):
        errors = [clip(e) for e in errors]
        if len(errors) > MAX_LINES:
            errors = [*errors[:MAX_LINES], f"… and {len(errors) - MAX_LINES} more problems"]
        self.errors = errors
        self.source = source
        shown = clip(source.replace("\0", "\\0")) if source else None
        head = f"invalid {self.kind} {shown}" if shown else f"invalid {self.kind}"
        super().__init__(head + ":\n" + "\n".join(f"  {e}" for e in errors))


def clip(line: str, limit: int = 4 * MAX_ECHO) -> str:
    """``line`` cut to ``limit`` characters with "…"."""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def P(default: Any, unit: str, source: str, doc: str, *, role: str | None = None, clause: str | None = None,
      read_at: str | None = None, **bounds: Any) -> Any:
    """A parameter: default, unit, allowed range (``ge``/``le``/``gt``/``lt``) and where it comes from.

    Args:
        source: where the *number* comes from: a publication or dated fact, or "assumption".
        role: ``lever`` (a policy choice of the plan), ``uncertainty`` (a condition outside
            policy) or ``constant`` (technical or fixed); a section may give one role to all its
            fields with ``ROLE``.
        clause: the plan text the parameter models, e.g. ``plan 二.2 有条件有偿``.
        read_at: when the model reads a parameter only once: ``start`` (initialisation),
            ``open_exchange`` or ``found_operator`` (the event that creates its agent). A timeline
            ``set`` after that moment would change nothing, so it is refused.
    """
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    extra = {"unit": unit, "source": source, "role": role, "clause": clause, "read_at": read_at}
    return Field(default, description=doc, json_schema_extra=extra, **bounds)


def role_of(model: type[BaseModel], name: str) -> str | None:
    """The role of field ``name`` of ``model``: its own, else the section's ``ROLE``."""
    extra = model.model_fields[name].json_schema_extra or {}
    return extra.get("role") or getattr(model, "ROLE", None)


class Section(BaseModel):
    """A group of fields: unknown keys, non-finite numbers and coerced booleans are errors, and a
    built section is immutable (change a scenario with ``Scenario.with_values``)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False, frozen=True)

    ROLE: typing.ClassVar[str | None] = None  # the role of every field that names none
    NOUN: typing.ClassVar[str] = "field"  # how an unknown key is called in messages

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):  # private state, e.g. where a sweep spec was read from
            return super().__setattr__(name, value)
        raise AttributeError(
            f"cannot set {type(self).__name__}.{name}: a validated scenario cannot be changed in place "
            f"(a run may be using it); make a changed copy with scenario.with_values({{'path.to.{name}': {value!r:.40}}})"
        )

    @field_validator("*", mode="before")
    @classmethod
    def _no_coercion(cls, value: Any, info) -> Any:
        """``true`` is not the number 1, and ``"no"`` is not the boolean false."""
        kind = _scalar_kind(cls.model_fields[info.field_name].annotation)
        if value is None:
            return value  # allowed or not by the field's type
        if kind is bool and not isinstance(value, bool):
            raise ValueError(f"must be a valid boolean, true or false, got {shorten(value)}")
        return _no_bool(value) if kind in (int, float) else value


def _scalar_kind(annotation: Any) -> type | None:
    """``bool``, ``int`` or ``float`` for a field of that type (or that type or None)."""
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation if annotation in (bool, int, float) else None


def _no_bool(value: Any) -> Any:
    """A number, not ``true``/``false`` (which Python would read as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {str(value).lower()}")
    return value


# a number inside a mapping (e.g. sector weights): ``true`` is refused like in a field
Number = typing.Annotated[float, BeforeValidator(_no_bool)]


# ---- validation errors as lines -----------------------------------------------------------------


def messages(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    """One ``path: problem`` line per error of ``root``'s validation, with the valid keys for an
    unknown one and the offending input shortened. A root-level check may report several lines."""
    lines: list[str] = []
    for err in exc.errors():
        loc = err["loc"]
        if loc and loc[-1] == "[key]":  # pydantic's marker of a mapping key that is not text
            path, _ = _walk(loc[:-1], root)
            lines.append(f"{path}: keys must be text, got {shorten(loc[-2])}")
            continue
        path, _ = _walk(loc, root)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "invalid_key":
            lines.append(f"{path}: keys must be text, got {shorten(loc[-1])}")
        elif err["type"] == "extra_forbidden":
            allowed = _fields(_walk(loc[:-1], root)[1])
            noun = getattr(root, "NOUN", "field")
            lines.append(f"{path}: unknown {noun}; allowed here: {', '.join(allowed) or '(none)'}")
        elif err["type"] in ("value_error", "assertion_error") and not path:
            lines.extend(msg.splitlines())
        elif err["type"] in ("value_error", "assertion_error"):
            lines.append(f"{path}: {msg}")
        else:
            lines.append(f"{path or 'top level'}: {msg}, got {shorten(err.get('input'))}")
    return list(dict.fromkeys(lines))  # one line per cause


def _walk(loc: tuple, root: Any) -> tuple[str, Any]:
    """The dotted path of an error location (``a.b[0].c``, union tags dropped) and the type there."""
    path = ""
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        index = False
        if _is_model(tp):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = field.annotation if field else None
        elif typing.get_origin(tp) in (dict, list):
            index = typing.get_origin(tp) is list
            tp = typing.get_args(tp)[-1]
        elif typing.get_origin(tp) in (typing.Union, types.UnionType):
            tagged = {_tag(m): m for m in typing.get_args(tp)}
            if part in tagged:
                tp = tagged[part]
                continue
            tp = None
        else:
            tp = None
        path += f"[{part}]" if index else f".{clip(str(part), MAX_ECHO)}"
    return path.lstrip("."), _unwrap(tp)


def _tag(member: Any) -> str | None:
    for meta in typing.get_args(member)[1:] if typing.get_origin(member) is typing.Annotated else ():
        if hasattr(meta, "tag"):
            return meta.tag
    return None


def _unwrap(tp: Any) -> Any:
    """``X | None`` → ``X``; ``Annotated[X, …]`` (without a union tag) → ``X``."""
    if typing.get_origin(tp) is typing.Annotated and _tag(tp) is None:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _fields(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (dict, list):
        tp = _unwrap(typing.get_args(tp)[-1])
    return list(tp.model_fields) if _is_model(tp) else []


# ---- reading YAML -------------------------------------------------------------------------------


def read_mapping(path: Path, error: type[InputError]) -> dict[str, Any]:
    """Read a YAML file whose top level is a mapping, or raise ``error`` with one message saying
    what is wrong with it (see the module docstring for every check)."""
    path = Path(path)
    problem = _file_problem(path)
    if problem:
        raise error([problem], str(path))
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise error([f"cannot read the file: {exc.strerror or exc}"], str(path)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise error([f"file is larger than {MAX_FILE_BYTES // 1024} KiB; a {error.kind} is a few kilobytes of YAML"],
                    str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error([f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save the file as UTF-8"],
                    str(path)) from None
    try:
        _check_shape(text)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader that refuses duplicate keys)
    except _Refused as exc:
        raise error([str(exc)], str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error([f"YAML syntax error{where}: {clip(' '.join(str(problem).split()), MAX_ECHO)}"],
                    str(path)) from None
    if data is None:
        raise error([f"empty {error.kind}: nothing to run"], str(path))
    if not isinstance(data, dict):
        raise error([f"top level must be a mapping of `key: value` lines, got {type(data).__name__}"], str(path))
    return data


def _file_problem(path: Path) -> str | None:
    """Why ``path`` is not a readable regular file, or None."""
    if "\0" in str(path):
        return f"{shorten(str(path))} is not a file name (it holds a NUL character)"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return f"file not found: {path}"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{path} is a symbolic link loop"
        if exc.errno == errno.ENOTDIR:
            return f"file not found: {path} (a parent is a file, not a folder)"
        return f"cannot read the file: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        return f"{path} is a folder, not a YAML file"
    if not stat.S_ISREG(mode):
        return f"{path} is not a regular file (a device, pipe or socket); give a YAML file"
    return None


class _Refused(Exception):
    """A YAML file refused before or while it is built (message only)."""


def _check_shape(text: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` and aliases expanding beyond ``MAX_NODES`` values,
    from the parser's event stream (iterative, so nothing deep or large is ever built)."""
    expanded = 0  # values so far, each alias counted as the values it stands for
    sizes: dict[str, int] = {}  # anchor → values it stands for
    stack: list[tuple[str | None, int]] = []  # open collections: anchor, ``expanded`` when opened
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append((event.anchor, expanded))
            expanded += 1
            if len(stack) > MAX_DEPTH:
                raise _Refused(f"nesting deeper than {MAX_DEPTH} levels at line {line}")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, opened = stack.pop()
            if anchor is not None:
                sizes[anchor] = expanded - opened
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:
                raise _Refused(f"alias *{clip(event.anchor, MAX_ECHO)} at line {line} refers to a value "
                               "that contains it or is not defined before it")
            expanded += sizes[event.anchor]
        if expanded > MAX_NODES:
            raise _Refused(f"aliases expand to more than {MAX_NODES:,} values (at line {line}); "
                           "write the values out instead of nesting aliases")


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing a mapping key given twice (YAML would keep only the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key, line = self.construct_object(key_node, deep=True), key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise _Refused(f"key {shorten(key)} is given twice, at lines {seen[key]} and {line}; keep one")
                seen[key] = line
            except TypeError:
                continue  # an unhashable key: the base loader reports it
        return super().construct_mapping(node, deep=deep)
