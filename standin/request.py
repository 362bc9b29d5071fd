"""Decoding Bot API requests: JSON, urlencoded form and multipart bodies.

:func:`read_params` turns an aiohttp request into raw parameters (strings for form
bodies, native values for JSON, :class:`~standin.spec.UploadedFile` for file parts).
:class:`Params` then reads them as the types a handler needs, refusing what Telegram
would refuse when no spec file checks the call first.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import ApiError
from .spec import UploadedFile

__all__ = ["Params", "read_params"]


async def read_params(request: web.Request) -> tuple[dict[str, Any], bool]:
    """The call's parameters and whether they came as a form (string values)."""
    params: dict[str, Any] = dict(request.query)
    form = True
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError.bad_request("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise ApiError.bad_request("JSON body must be an object")
            params.update(body)
            form = not body
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[name] = UploadedFile(
                        value.filename or name, value.content_type, value.file.read()
                    )
                else:
                    params[name] = value
    return params, form


class Params:
    """Typed access to raw parameters; wrong shapes become 400 errors."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return name in self.raw

    def _wrong(self, name: str) -> ApiError:
        return ApiError.bad_request(f"wrong parameter '{name}'")

    def text(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self._wrong(name)

    def integer(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise self._wrong(name)

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
            return value.lower() in ("true", "1")
        raise self._wrong(name)

    def obj(self, name: str) -> Any:
        """An object or array, JSON-decoded if it came as a string."""
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError.bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str | None:
        """An integer id, or an ``@username`` string."""
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return value
        return self.integer(name)

    def file(self, name: str) -> UploadedFile | str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, UploadedFile | str):
            if isinstance(value, str) and value.startswith("attach://"):
                attached = self.raw.get(value.removeprefix("attach://"))
                if not isinstance(attached, UploadedFile):
                    raise ApiError.bad_request(f"file {value} is not attached")
                return attached
            return value
        raise self._wrong(name)

    def loggable(self) -> dict[str, Any]:
        """The parameters with file contents replaced by a short description."""
        return {
            name: (f"<file {value.filename}, {len(value.data)} bytes>")
            if isinstance(value, UploadedFile)
            else value
            for name, value in self.raw.items()
        }
