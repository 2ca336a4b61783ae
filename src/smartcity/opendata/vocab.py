"""Controlled vocabularies of the catalogue: licences, update frequencies, data themes, formats.

Frequencies and themes are the EU Publications Office authority tables DCAT-AP names.
"""

from __future__ import annotations

from dataclasses import dataclass

FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str
    open: bool = True


LICENCES: dict[str, Licence] = {
    lic.id: lic
    for lic in [
        Licence(
            "cc-by-4.0",
            "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        Licence(
            "cc-by-sa-4.0",
            "Creative Commons Attribution Share-Alike 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ),
        Licence(
            "cc-zero",
            "Creative Commons CCZero",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        Licence(
            "odc-by",
            "Open Data Commons Attribution License",
            "https://opendatacommons.org/licenses/by/1-0/",
        ),
        Licence(
            "odc-odbl",
            "Open Data Commons Open Database License (ODbL)",
            "https://opendatacommons.org/licenses/odbl/1-0/",
        ),
        Licence(
            "odc-pddl",
            "Open Data Commons Public Domain Dedication and License (PDDL)",
            "https://opendatacommons.org/licenses/pddl/1-0/",
        ),
    ]
}

FREQUENCIES: dict[str, tuple[str, str]] = {
    "CONT": ("持续更新", "continuous"),
    "HOURLY": ("每小时", "hourly"),
    "DAILY": ("每日", "daily"),
    "WEEKLY": ("每周", "weekly"),
    "MONTHLY": ("每月", "monthly"),
    "QUARTERLY": ("每季度", "quarterly"),
    "ANNUAL": ("每年", "annual"),
    "IRREG": ("不定期", "irregular"),
    "NEVER": ("不再更新", "never"),
    "UNKNOWN": ("未知", "unknown"),
}

THEMES: dict[str, tuple[str, str]] = {
    "AGRI": ("农业、渔业、林业和食品", "Agriculture, fisheries, forestry and food"),
    "ECON": ("经济和金融", "Economy and finance"),
    "EDUC": ("教育、文化和体育", "Education, culture and sport"),
    "ENER": ("能源", "Energy"),
    "ENVI": ("环境", "Environment"),
    "GOVE": ("政府和公共部门", "Government and public sector"),
    "HEAL": ("卫生", "Health"),
    "INTR": ("国际事务", "International issues"),
    "JUST": ("司法、法律体系和公共安全", "Justice, legal system and public safety"),
    "REGI": ("地区和城市", "Regions and cities"),
    "SOCI": ("人口和社会", "Population and society"),
    "TECH": ("科学和技术", "Science and technology"),
    "TRAN": ("交通", "Transport"),
}

# Formats a resource may have, by their lower-case spelling, with their media types.
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "geojson": ("GeoJSON", "application/geo+json"),
}
TABULAR_FORMATS = frozenset({"CSV", "JSON"})
