"""The demo loader: a generated Shanghai, departments and a user for every role, loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from smartcity import demo
from smartcity.security.models import User
from smartcity.security.roles import Role


def test_demo_loads_the_city_and_users_once_and_they_can_log_in(platform, client):
    quiet: list[str] = []
    logins = demo.prepare(platform, echo=quiet.append)
    assert {login.role for login in logins} == set(Role)
    again = demo.prepare(platform, echo=quiet.append)
    assert [x.password for x in again] == [x.password for x in logins]
    with platform.db.session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == len(Role)
    admin = next(x for x in logins if x.role is Role.ADMIN)
    token = client.post(
        "/api/auth/token", data={"username": admin.username, "password": admin.password}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    districts = client.get("/api/geo/districts", headers=headers).json()
    items = districts["items"] if isinstance(districts, dict) else districts
    by_code = {d["code"]: d for d in items}
    assert len(by_code) == 16
    assert by_code["310101"]["name_zh"] == "黄浦区"
    assert by_code["310151"]["name_en"] == "Chongming"
    located = client.get(
        "/api/geo/locate", params={"lon": 121.4903, "lat": 31.2228}, headers=headers
    )
    assert located.status_code == 200
    assert "310101" in str(located.json())
    assert any("city ready" in line for line in quiet)
