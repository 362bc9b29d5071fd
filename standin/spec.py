"""Validation of Bot API calls against the machine-readable spec (``api.json``).

The spec lists every method with its parameters (``name``, ``types``, ``required``) and
every type with its fields or, for union types such as ``InlineQueryResult``, its
``subtypes``. :class:`Spec` checks that a method exists (case-insensitively, as
Telegram does), that every required parameter is present, that no unknown parameter is
sent, and that each value matches one of the listed types — recursing into objects
(required fields, unknown fields, field types) and arrays.

Values arrive in two shapes. Form bodies (urlencoded or multipart, which is what
python-telegram-bot sends) carry strings: integers, booleans and floats are parsed from
their text and arrays/objects are JSON-decoded first. JSON bodies carry native values;
a JSON-encoded string in place of an object or array is decoded first, as Telegram
accepts. Uploaded files match ``InputFile``. In a JSON body the stand-in is stricter
than Telegram: a number is not accepted where a String is expected.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ApiError

__all__ = ["Spec", "UploadedFile"]

_INT = re.compile(r"-?[0-9]+")
_PRIMITIVES = ("Integer", "Float", "Boolean", "String", "InputFile")
_FORM_TRUE = {"true", "1"}
_FORM_FALSE = {"false", "0"}


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


class _Mismatch(Exception):
    """A value does not match a type; ``where`` is the path inside the parameter."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)


class Spec:
    """The Bot API contract loaded from ``api.json``."""

    def __init__(self, data: Mapping[str, Any]):
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, Mapping[str, Any]] = dict(data["methods"])
        self.types: dict[str, Mapping[str, Any]] = dict(data["types"])
        self._by_lower = {name.lower(): name for name in self.methods}

    @classmethod
    def load(cls, path: Path) -> Spec:
        """Read the spec file at ``path``."""
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def canonical(self, method: str) -> str | None:
        """The spec's spelling of ``method``, or None if Telegram has no such method."""
        return self._by_lower.get(method.lower())

    def validate(self, method: str, params: Mapping[str, Any], *, form: bool) -> None:
        """Raise a 400 :class:`ApiError` if the call breaks the spec.

        ``params`` maps parameter names to strings (``form=True``), native JSON values
        (``form=False``) or :class:`UploadedFile`. File parts referenced from a value
        as ``attach://<name>`` are not parameters and are skipped.
        """
        fields = {f["name"]: f for f in self.methods[method].get("fields", [])}
        attached = _attach_names(params)
        for name, value in params.items():
            if name in fields:
                continue
            if name in attached and isinstance(value, UploadedFile):
                continue
            raise ApiError.bad_request(f"unknown parameter '{name}' for method {method}")
        for name, field in fields.items():
            if field["required"] and name not in params:
                raise ApiError.bad_request(f"parameter '{name}' is required for method {method}")
        for name, value in params.items():
            if name not in fields:
                continue
            try:
                self._check_top(name, value, fields[name]["types"], form=form)
            except _Mismatch as exc:
                raise ApiError.bad_request(f"wrong parameter of {method}: {exc}") from None

    # -- top level --------------------------------------------------------------------

    def _check_top(self, name: str, value: Any, types: list[str], *, form: bool) -> None:
        errors: list[_Mismatch] = []
        types = self._ordered(types)
        decoded, undecodable = value, False
        if isinstance(value, str) and any(self._is_structured(t) for t in types):
            try:
                decoded = json.loads(value)
            except ValueError:
                undecodable = all(self._is_structured(t) for t in types)
        for type_name in types:
            try:
                candidate = value
                if isinstance(value, str) and self._is_structured(type_name):
                    candidate = _json(value, name)
                elif form and isinstance(value, str):
                    candidate = _from_form(value, type_name)
                self._check(candidate, type_name, name)
                return
            except _Mismatch as exc:
                errors.append(exc)
        if undecodable:
            raise _Mismatch(name, "can't parse JSON")
        raise self._best(decoded, errors, types, name)

    # -- recursive checks ---------------------------------------------------------------

    def _check(self, value: Any, type_name: str, where: str) -> None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                raise _Mismatch(where, f"expected {type_name}")
            inner = type_name.removeprefix("Array of ")
            for index, item in enumerate(value):
                self._check(item, inner, f"{where}[{index}]")
            return
        if type_name in _PRIMITIVES:
            if not _primitive_ok(value, type_name):
                raise _Mismatch(where, f"expected {type_name}, got {_describe(value)}")
            return
        spec = self.types.get(type_name)
        if spec is None:
            raise _Mismatch(where, f"unknown type {type_name} in spec")
        if not isinstance(value, Mapping):
            raise _Mismatch(where, f"expected {type_name} object, got {_describe(value)}")
        if "subtypes" in spec:
            errors: list[_Mismatch] = []
            for sub in spec["subtypes"]:
                try:
                    self._check(value, sub, where)
                    return
                except _Mismatch as exc:
                    errors.append(exc)
            raise self._best(value, errors, spec["subtypes"], where, union=type_name)
        fields = {f["name"]: f for f in spec.get("fields", [])}
        if not fields:
            return  # placeholder types such as CallbackGame accept any object
        for key in value:
            if key not in fields:
                raise _Mismatch(_join(where, key), f"unknown field of {type_name}")
        for name, field in fields.items():
            if field["required"] and name not in value:
                raise _Mismatch(_join(where, name), f"required field of {type_name} is missing")
            constant = _must_be(field)
            if constant is not None and name in value and value[name] != constant:
                raise _Mismatch(_join(where, name), f"must be {constant!r} in {type_name}")
        for key, item in value.items():
            field_types = fields[key]["types"]
            errors = []
            for field_type in field_types:
                try:
                    self._check(item, field_type, _join(where, key))
                    break
                except _Mismatch as exc:
                    errors.append(exc)
            else:
                raise self._best(item, errors, field_types, _join(where, key))

    # -- choosing which error to report ------------------------------------------------

    def _is_structured(self, type_name: str) -> bool:
        return type_name.startswith("Array of ") or type_name not in _PRIMITIVES

    def _ordered(self, types: list[str]) -> list[str]:
        """Try String last for form strings so '123' is checked as Integer first."""
        return sorted(types, key=lambda t: t == "String")

    def _best(
        self,
        value: Any,
        errors: list[_Mismatch],
        types: list[str],
        where: str = "",
        union: str | None = None,
    ) -> _Mismatch:
        """The error of the alternative the value most plausibly meant to be."""
        if len(errors) == 1:
            return errors[0]
        scores = [self._score(type_name, value) for type_name in types]
        best = max(range(len(types)), key=lambda i: scores[i])
        if scores[best] > (0, 0):
            return errors[best]
        if union:
            return _Mismatch(where, f"does not match any kind of {union}")
        return _Mismatch(where, f"expected {' or '.join(types)}, got {_describe(value)}")

    def _score(self, type_name: str, value: Any) -> tuple[int, int]:
        """How well ``value`` fits the shape of ``type_name``, ignoring field types."""
        if type_name.startswith("Array of "):
            return (1, 0) if isinstance(value, list) else (0, 0)
        spec = self.types.get(type_name)
        if type_name in _PRIMITIVES or spec is None or not isinstance(value, Mapping):
            return (0, 0)
        if "subtypes" in spec:
            return max(self._score(sub, value) for sub in spec["subtypes"])
        fields = {f["name"]: f for f in spec.get("fields", [])}
        discriminated = all(
            _must_be(f) is None or value.get(n) == _must_be(f) for n, f in fields.items()
        )
        required = all(n in value for n, f in fields.items() if f["required"])
        return (2 * discriminated + required, len(set(value) & set(fields)))


def _must_be(field: Mapping[str, Any]) -> str | None:
    """The constant of a discriminator field ("Type of the result, must be article")."""
    if field["types"] != ["String"]:
        return None
    match = re.search(r"\bmust be ([a-z0-9_]+)\s*$", field.get("description", ""))
    return match.group(1) if match else None


def _primitive_ok(value: Any, type_name: str) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    return isinstance(value, UploadedFile)  # InputFile


def _from_form(text: str, type_name: str) -> Any:
    """Turn a form string into the native value it stands for, if it can."""
    if type_name == "Integer" and _INT.fullmatch(text):
        return int(text)
    if type_name == "Float":
        try:
            return float(text)
        except ValueError:
            return text
    if type_name == "Boolean":
        if text.lower() in _FORM_TRUE:
            return True
        if text.lower() in _FORM_FALSE:
            return False
    return text


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _Mismatch(where, "can't parse JSON") from None


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _describe(value: Any) -> str:
    if isinstance(value, UploadedFile):
        return "a file"
    return type(value).__name__


def _attach_names(params: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if value.startswith("attach://"):
                names.add(value.removeprefix("attach://"))
            elif value[:1] in "[{" and "attach://" in value:
                with contextlib.suppress(ValueError):
                    walk(json.loads(value))
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(list(params.values()))
    return names
