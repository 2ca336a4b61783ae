"""Static files of the console: its own CSS and scripts, and third-party packages from npm.

The npm packages (package.json at the repository root, installed by `make` into node_modules)
are served from there, only the folders named here; every URL carries a content hash, so
browsers keep the files for a year and fetch them again only when they change.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from smartcity.core.errors import NotFound

router = APIRouter(include_in_schema=False)

OWN = Path(__file__).with_name("static")
# npm package → the folder of it that browsers may fetch
VENDOR_FOLDERS = {"leaflet": "dist", "chart.js": "dist"}
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
_YEAR = "public, max-age=31536000, immutable"


@cache
def node_modules() -> Path:
    """node_modules beside the repository's package.json (the checkout this code runs from),
    else in the working directory."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "package.json").is_file():
            return parent / "node_modules"
    return Path.cwd() / "node_modules"


def _inside(root: Path, relative: str) -> Path:
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file() or path.suffix not in _TYPES:
        raise NotFound(f"no such console file: {relative}")
    return path


@cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(relative: str) -> str:
    """`/console/static/<file>?v=<hash>` for a file of the console's own static folder."""
    return f"/console/static/{relative}?v={_digest(_inside(OWN, relative))}"


def vendor_url(package: str, relative: str) -> str:
    """`/console/vendor/<package>/<file>?v=<hash>` for a file of an installed npm package."""
    root = node_modules() / package / VENDOR_FOLDERS[package]
    try:
        return f"/console/vendor/{package}/{relative}?v={_digest(_inside(root, relative))}"
    except NotFound:  # not installed: the page still renders, and the browser reports the 404
        return f"/console/vendor/{package}/{relative}"


def _file(path: Path) -> FileResponse:
    return FileResponse(path, media_type=_TYPES[path.suffix], headers={"Cache-Control": _YEAR})


@router.get("/console/static/{relative:path}")
def own_file(relative: str) -> FileResponse:
    return _file(_inside(OWN, relative))


@router.get("/console/vendor/{package}/{relative:path}")
def vendor_file(package: str, relative: str) -> FileResponse:
    folder = VENDOR_FOLDERS.get(package)
    if folder is None:
        raise NotFound(f"no such package: {package}")
    return _file(_inside(node_modules() / package / folder, relative))
