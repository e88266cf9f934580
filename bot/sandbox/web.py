"""The sandbox's WSGI app: the page and its static files, the page's small JSON API, and
planbot's own routes (`POST /slack/events`, `GET /healthz`) behind them, on one server.

The JSON API takes only `application/json` bodies, so another site open in the same browser
cannot drive it with a plain form post (a cross-origin JSON post needs a preflight, which is
never answered).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from bot.sandbox.client import Desktop
from bot.sandbox.payloads import NoSuchControl
from bot.sandbox.people import PEOPLE

log = logging.getLogger("planbot.sandbox")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]
MAX_BODY = 1_000_000
STATIC: dict[str, str] = {
    "sandbox.css": "text/css; charset=utf-8",
    "sandbox.js": "text/javascript; charset=utf-8",
    "blockkit.js": "text/javascript; charset=utf-8",
}


class BadRequest(ValueError):
    pass


def static_file(name: str) -> bytes:
    """A file shipped in the package under bot/sandbox/static."""
    return resources.files("bot.sandbox").joinpath("static", name).read_bytes()


def _reply(start_response: StartResponse, status: str, body: bytes, content_type: str) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")])
    return [body]


def _json(start_response: StartResponse, data: Any, status: str = "200 OK") -> list[bytes]:
    return _reply(start_response, status, json.dumps(data).encode(), "application/json")


def _body(environ: dict[str, Any]) -> dict[str, Any]:
    if not str(environ.get("CONTENT_TYPE", "")).startswith("application/json"):
        raise BadRequest("send application/json")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError as error:
        raise BadRequest("bad Content-Length") from error
    if length > MAX_BODY:
        raise BadRequest("too large")
    try:
        data = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError as error:
        raise BadRequest("not JSON") from error
    if not isinstance(data, dict):
        raise BadRequest("send a JSON object")
    user = data.get("user")
    if user not in {someone.id for someone in PEOPLE}:
        raise BadRequest("say which sandbox person is acting")
    return data


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def make_sandbox_wsgi(desktop: Desktop, planbot: WSGIApp) -> WSGIApp:
    def post(path: str, data: dict[str, Any]) -> Any:
        user = str(data["user"])
        match path:
            case "/sandbox/command":
                answer = desktop.command(user, str(data.get("text", "")))
                return {"status": answer.status, "elapsed": round(answer.elapsed, 3)}
            case "/sandbox/click":
                answer = desktop.click(user, _dict(data.get("surface")), block_id=str(data.get("block_id", "")),
                                       action_id=str(data.get("action_id", "")), chosen=_dict(data.get("chosen")),
                                       values=_dict(data.get("values")))
                return {"status": answer.status, "elapsed": round(answer.elapsed, 3)}
            case "/sandbox/submit":
                return desktop.submit(user, str(data.get("view_id", "")), _dict(data.get("values")))
            case "/sandbox/close":
                desktop.close(user, str(data.get("view_id", "")), _dict(data.get("values")))
                return {}
            case "/sandbox/home":
                answer = desktop.open_home(user)
                return {"status": answer.status, "elapsed": round(answer.elapsed, 3)}
        return None

    def state(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        query = parse_qs(str(environ.get("QUERY_STRING", "")))
        user = (query.get("user") or [PEOPLE[0].id])[0]
        if user not in {someone.id for someone in PEOPLE}:
            return _json(start_response, {"error": "no such person"}, "400 Bad Request")
        since = (query.get("since") or [""])[0]
        if since and since == desktop.revision():
            return _json(start_response, {"revision": since, "unchanged": True})
        return _json(start_response, desktop.state(user))

    def api(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        try:
            answer = post(str(environ.get("PATH_INFO", "")), _body(environ))
        except BadRequest as error:
            return _json(start_response, {"error": str(error)}, "400 Bad Request")
        except (NoSuchControl, KeyError) as error:
            return _json(start_response, {"error": f"gone: {error}"}, "409 Conflict")
        if answer is None:
            return _json(start_response, {"error": "no such call"}, "404 Not Found")
        return _json(start_response, answer)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD")
        name = path.removeprefix("/static/")
        if method == "GET" and path in ("/", "/index.html"):
            return _reply(start_response, "200 OK", static_file("index.html"), "text/html; charset=utf-8")
        if method == "GET" and path.startswith("/static/") and name in STATIC:
            return _reply(start_response, "200 OK", static_file(name), STATIC[name])
        if method == "GET" and path == "/sandbox/state":
            return state(environ, start_response)
        if method == "POST" and path.startswith("/sandbox/"):
            return api(environ, start_response)
        return planbot(environ, start_response)

    return wsgi
