"""The web view's input edge: what a request must be before any route sees it, and what an answer
or a log may say about it.

- Host: only the names the server was started under are answered (421 otherwise). A page of
  another site that rebinds its own name to this machine (DNS rebinding) sends its own name.
- Body: read up to `MAX_BODY_BYTES` (413 beyond), JSON holding only finite numbers (422): Python's
  json reads `NaN`, `Infinity` and `1e400`, which no field of the API means and which JSON cannot
  carry back in the error answer.
- Errors: a 422 names each field and what is wrong, never the value sent; a crash is logged with
  its method, path and frames, never the body, the query string (it may carry `?token=`) or the
  exception's message (it may quote the body).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import re
import traceback
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Message

from rostering.domain.privacy import mask_cpr

#: The largest request body read. The page sends one cell per edit; an API client locking every
#: cell of a four-week plan for 200 employees sends about 200 kB.
MAX_BODY_BYTES = 1_000_000

#: The names this machine answers to: only a browser on this machine can send them, so a page
#: that rebinds another name to 127.0.0.1 never does. Answered whatever address is bound.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

_HOST_HEADER = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[^\[\]:]+))(?::\d{1,5})?$")

log = logging.getLogger("rostering.web")


# ------------------------------------------------------------------ Host


def host_key(name: str) -> str:
    """`name` as compared: lower case, no brackets or final dot, an IP address in its short form
    ("[0:0::1]" and "::1" are one address)."""
    bare = name.strip().strip("[]").rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        return bare


def answered_hosts(bound: str, also: Iterable[str] = ()) -> frozenset[str]:
    """The Host names a server bound to `bound` answers: the loopback names, `bound` itself and
    `also` (names it is reached under through a proxy or a wildcard address such as 0.0.0.0)."""
    return frozenset(host_key(name) for name in (*LOOPBACK_HOSTS, bound, *also))


def host_of(request: Request) -> str | None:
    """The name the request's Host header gives (its port dropped); None when the header is
    missing or not `name[:port]`."""
    found = _HOST_HEADER.match(request.headers.get("host", ""))
    if found is None:
        return None
    return host_key(found["v6"] or found["name"])


def unknown_host(request: Request, hosts: frozenset[str]) -> Response | None:
    """421 for a request naming a host this server was not started under; None to go on."""
    if host_of(request) in hosts:
        return None
    return JSONResponse(
        {
            "detail": "unknown Host: open the page under the address `rostering serve` was started with "
            "(http://127.0.0.1:PORT on this machine), or name this one with --allow-host"
        },
        status_code=421,
    )


# ------------------------------------------------------------------ body


class CheckedRoute(APIRoute):
    """A route whose JSON body is bounded and finite before FastAPI parses it into the model."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def checked(request: Request) -> Response:
            body = await _bounded_body(request)
            if body:
                _refuse_non_finite(_parsed(body))
            return await handler(_replaying(request, body))

        return checked


async def _bounded_body(request: Request) -> bytes:
    """The body, refused (413) as soon as it passes MAX_BODY_BYTES: a declared length is not
    trusted, a chunked body is counted as it comes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HTTPException(413, f"request body over {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _replaying(request: Request, body: bytes) -> Request:
    """A request that reads `body` again (the stream is spent); later reads wait on the client."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await request.receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)


def _parsed(body: bytes) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise _invalid(("body", exc.pos), f"not JSON: {exc.msg}", "json_invalid") from None
    except UnicodeDecodeError:
        raise _invalid(("body",), "not UTF-8 text", "json_invalid") from None
    except RecursionError:
        raise _invalid(("body",), "nested too deeply", "json_invalid") from None
    except ValueError:  # an integer beyond Python's digit limit for conversions
        raise _invalid(("body",), "a number has too many digits", "json_invalid") from None


def _refuse_non_finite(value: Any) -> None:
    """422 naming the first place, in reading order, where a number is NaN or infinite."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [(("body",), value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise _invalid(loc, "must be a finite number (NaN and Infinity mean nothing here)", "finite_number")
        if isinstance(item, dict):
            stack.extend(reversed([((*loc, str(key)), child) for key, child in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([((*loc, i), child) for i, child in enumerate(item)]))


def _invalid(loc: tuple[str | int, ...], msg: str, kind: str) -> RequestValidationError:
    return RequestValidationError([{"loc": loc, "msg": msg, "type": kind}])


# ------------------------------------------------------------------ answers and logs


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each field and what is wrong, without the value sent: it may be a CPR number or
    a sick day, or too long to send back."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [
        {
            "loc": [part if isinstance(part, int) else mask_cpr(str(part)) for part in e["loc"]],
            "msg": mask_cpr(str(e["msg"])),
            "type": e["type"],
        }
        for e in errors
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def crashed(request: Request, exc: Exception) -> JSONResponse:
    """500 for a bug, logged with where it happened, never with the request's content."""
    frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    path = mask_cpr(request.url.path[:200])
    log.error("%s %s failed with %s\n%s", request.method, path, type(exc).__name__, frames)
    return JSONResponse({"detail": "internal error (logged on the server)"}, status_code=500)
