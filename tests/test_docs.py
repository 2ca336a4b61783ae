"""The README stays true: every setting, role and CLI command it should describe, it describes."""

from __future__ import annotations

from pathlib import Path

from smartcity.cli import app
from smartcity.core.settings import Settings
from smartcity.security.roles import Role, permission_matrix_markdown

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_setting_is_documented():
    names = [n for n in Settings.model_fields if n != "auth"]  # auth: SMARTCITY_AUTH_<API>
    missing = [n for n in names if f"SMARTCITY_{n.upper()}" not in README]
    assert missing == []


def test_every_role_is_documented():
    assert [r.value for r in Role if f"`{r.value}`" not in README] == []


def test_every_command_group_is_documented():
    groups = [g.name for g in app.registered_groups] + [
        c.name or c.callback.__name__ for c in app.registered_commands
    ]
    assert [g for g in groups if f"smartcity {g}" not in README] == []


def test_the_readme_opens_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_the_permission_table_in_the_readme_is_the_enforced_one():
    assert permission_matrix_markdown() in README
