"""The front page until the console arrives: where to log in and where the APIs are."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from smartcity.geo import service as geo_service
from smartcity.security import service as security_service
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>智慧城市运行管理平台 · smartcity</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;
line-height:1.6;color:#1d2733}}h1{{font-size:1.6rem}}code{{background:#eef2f6;padding:0 .3rem}}
li{{margin:.3rem 0}}small{{color:#5b6b7b}}</style></head><body>
<h1>智慧城市运行管理平台 <small>smartcity</small></h1>
<p>{city}：{districts} 个区、{streets} 个街道（镇）、{cells} 个单元网格。
<small>{city_en}: {districts} districts, {streets} streets/towns,
{cells} unit grid cells.</small></p>
<ul>
<li>登录 / Log in: <code>POST /api/auth/token</code> — <a href="/docs">API 文档 / API docs</a></li>
<li>城市模型 / City model: <a href="/api/geo/districts">/api/geo/districts</a></li>
<li>运行状态 / Status: <a href="/health">/health</a> · <a href="/ready">/ready</a> ·
<a href="/metrics">/metrics</a></li>
</ul>
<p><small>演示城市的边界为程序生成的近似布局，并非官方边界。
The demo city's boundaries are a generated, approximate layout, not official boundaries.</small></p>
</body></html>"""


@router.get("/", response_class=HTMLResponse)
def home(platform: PlatformDep, session: SessionDep) -> HTMLResponse:
    tenant = security_service.get_tenant(session, slug=platform.settings.default_tenant)
    counts = geo_service.city_summary(session, tenant_id=tenant.id)
    return HTMLResponse(
        PAGE.format(
            city=escape(tenant.name_zh),
            city_en=escape(tenant.name_en),
            districts=counts.get("districts", 0),
            streets=counts.get("streets", 0),
            cells=counts.get("cells", 0),
        )
    )
