"""DCAT routes: the catalogue (paged) and each dataset as JSON-LD or Turtle, for harvesters.

Errors here are the platform's JSON errors; only public datasets are in the catalogue.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import func, select

from smartcity.core.errors import NotFound
from smartcity.opendata import access, service
from smartcity.opendata.dcat import catalog_graph, dataset_graph
from smartcity.opendata.models import Dataset
from smartcity.opendata.package import package_dict, package_dicts
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(tags=["open data (DCAT)"])

PER_PAGE = 100
FORMATS = {"jsonld": ("json-ld", "application/ld+json"), "ttl": ("turtle", "text/turtle")}
Page = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page of 100 datasets")]
Ref = Annotated[str, Path(max_length=100, description="the dataset's id or name")]


def _site(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _catalog(
    request: Request, platform: PlatformDep, session: SessionDep, page: int, fmt: str
) -> Response:
    principal = access.catalogue_principal(request, platform, session)
    public = access.visible(session, principal, include_private=False)
    total = session.scalar(select(func.count()).select_from(Dataset).where(public)) or 0
    if page > 1 and (page - 1) * PER_PAGE >= total:
        raise NotFound(f"the catalogue has no page {page}")
    stmt = select(Dataset).where(public).order_by(Dataset.modified_at.desc(), Dataset.id)
    datasets = session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    packages = package_dicts(session, datasets)
    rows = [(p, d.created_at, d.modified_at) for p, d in zip(packages, datasets, strict=True)]
    site = _site(request)
    graph = catalog_graph(
        site, rows, page=page, per_page=PER_PAGE, total=total, page_url=f"{site}/catalog.{fmt}"
    )
    rdf_format, media_type = FORMATS[fmt]
    return Response(graph.serialize(format=rdf_format), media_type=media_type)


def _dataset(
    request: Request, platform: PlatformDep, session: SessionDep, ref: str, fmt: str
) -> Response:
    principal = access.catalogue_principal(request, platform, session)
    dataset = service.get_dataset(session, principal, ref)
    graph = dataset_graph(
        _site(request), package_dict(session, dataset), dataset.created_at, dataset.modified_at
    )
    rdf_format, media_type = FORMATS[fmt]
    return Response(graph.serialize(format=rdf_format), media_type=media_type)


@router.get("/catalog.jsonld", summary="The DCAT catalogue as JSON-LD")
def catalog_jsonld(
    request: Request, platform: PlatformDep, session: SessionDep, page: Page = 1
) -> Response:
    return _catalog(request, platform, session, page, "jsonld")


@router.get("/catalog.ttl", summary="The DCAT catalogue as Turtle")
def catalog_ttl(
    request: Request, platform: PlatformDep, session: SessionDep, page: Page = 1
) -> Response:
    return _catalog(request, platform, session, page, "ttl")


@router.get("/dataset/{ref}.jsonld", summary="One dataset as DCAT JSON-LD")
def dataset_jsonld(
    request: Request, platform: PlatformDep, session: SessionDep, ref: Ref
) -> Response:
    return _dataset(request, platform, session, ref, "jsonld")


@router.get("/dataset/{ref}.ttl", summary="One dataset as DCAT Turtle")
def dataset_ttl(request: Request, platform: PlatformDep, session: SessionDep, ref: Ref) -> Response:
    return _dataset(request, platform, session, ref, "ttl")
