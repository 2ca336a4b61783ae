"""The console's words: one catalogue per language (Chinese first), chosen by `?lang=` or cookie.

Catalogues are JSON files in `messages/`, read once; a part that plugs pages into the console
adds its own words with `add_messages`, so no label is ever written into a template.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
_MESSAGES = Path(__file__).with_name("messages")
_EXTRA: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}


@cache
def _file_catalogue(lang: str) -> dict[str, str]:
    return json.loads((_MESSAGES / f"{lang}.json").read_text(encoding="utf-8"))


def catalogue(lang: str) -> Mapping[str, str]:
    """Every message of one language: the console's own, then those parts added."""
    return {**_file_catalogue(lang), **_EXTRA[lang]}


def add_messages(lang: str, messages: Mapping[str, str]) -> None:
    """Let a part that plugs pages or tiles into the console bring its own words."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown console language {lang!r}")
    _EXTRA[lang].update(messages)
    _translators.cache_clear()


def choose_language(query: str | None, cookie: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


class Translator:
    """`t("key", name=value)`: the message in this language, else Chinese, else the key."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._own = catalogue(lang)
        self._fallback = catalogue(DEFAULT_LANGUAGE)

    def __call__(self, key: str, **params: Any) -> str:
        text = self._own.get(key) or self._fallback.get(key) or key
        return text.format(**params) if params else text

    def pick(self, zh: str | None, en: str | None) -> str:
        """Of a name kept in both languages (districts, device types), the one to show."""
        return (en or zh or "") if self.lang == "en" else (zh or en or "")


@cache
def _translators(lang: str) -> Translator:
    return Translator(lang)


def translator(lang: str) -> Translator:
    return _translators(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
