"""Console pages answer failures as pages: a login redirect, or an error page in the viewer's
language (the JSON data routes under /console/api keep the platform's JSON error format)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from smartcity.core.errors import SmartCityError, Unauthenticated
from smartcity.web.errors import validation_details


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def error_page(request: Request, status: int, message: str) -> Response:
    from smartcity.console.templating import render

    viewer = getattr(request.state, "console_viewer", None)
    platform = request.app.state.platform
    return render(
        request,
        platform,
        "error.html",
        viewer=viewer,
        status=status,
        status_code=status,
        message=message,
    )


class PageRoute(APIRoute):
    """An HTML page: a missing login redirects to /login, other failures render error.html."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                return login_redirect(request)
            except SmartCityError as exc:
                return error_page(request, exc.status_code, exc.message)
            except RequestValidationError as exc:
                details = validation_details(list(exc.errors()))
                first = details[0] if details else {"field": "", "message": "invalid request"}
                return error_page(request, 400, f"{first['field']}: {first['message']}")

        return page
