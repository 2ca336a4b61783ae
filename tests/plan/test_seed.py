"""The seed data against the press release it comes from: every project, safeguard and figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from smartcity.plan.seed import read_multiple, read_quantity, seed_data, seed_text
from smartcity.plan.units import UNITS

SEED = seed_text()
DATA = seed_data()
SHARED_SEED = Path("/work/shared/seed/000_b4f8d3517107d7fb.txt")


def statements() -> list[tuple[str, str, dict]]:
    """(indicator code, kind, statement) for every figure the seed data quotes."""
    found = []
    for indicator in DATA["indicators"]:
        for kind in ("baseline", "target"):
            if indicator.get(kind):
                found.append((indicator["code"], kind, indicator[kind]))
        found += [(indicator["code"], "history", s) for s in indicator.get("history", [])]
    return found


def comparisons() -> list[tuple[str, dict]]:
    return [(i["code"], c) for i in DATA["indicators"] for c in i.get("comparisons", [])]


def test_the_shipped_press_release_is_the_seed_verbatim():
    if SHARED_SEED.exists():
        assert SHARED_SEED.read_text(encoding="utf-8") == SEED
    assert "2014~2016年行动计划" in SEED


def test_five_lived_actions_and_three_support_systems_named_as_the_seed_names_them():
    pillars = DATA["pillars"]
    actions = [p for p in pillars if p["kind"] == "action"]
    assert "".join(p["letter"] for p in actions) == "LIVED"
    assert [p["name_en"] for p in actions] == [
        "Livable",
        "Innovative",
        "Viable",
        "Efficient",
        "District",
    ]
    for pillar in pillars:
        assert pillar["heading"] in SEED
        assert pillar["goal_zh"] in pillar["heading"]
    for action in actions:
        assert f"（{action['name_en']}）" in action["heading"]
        assert action["name_zh"][:2] in action["heading"]
    assert [p["kind"] for p in pillars].count("support") == 3


def test_fifty_key_projects_grouped_exactly_as_the_seed_groups_them():
    counts = [len(p["projects"]) for p in DATA["pillars"]]
    assert counts == [8, 5, 5, 5, 5, 6, 8, 8]
    assert sum(counts) == 50
    assert "引导推动建设 50 个重点专项" in DATA["programme"]["structure_sentence"]
    assert DATA["programme"]["structure_sentence"] in SEED


@pytest.mark.parametrize("pillar", DATA["pillars"], ids=lambda p: p["code"])
def test_each_project_is_named_in_its_groups_sentence_in_the_seeds_order(pillar):
    sentence = pillar["list_sentence"]
    assert sentence in SEED
    counted = pillar.get("count_sentence", sentence)
    assert counted in SEED
    assert f"{pillar['stated_count']} 个" in counted
    assert pillar["stated_count"] == len(pillar["projects"])
    at = 0
    for project in pillar["projects"]:
        at = sentence.index(project["seed_name"], at) + len(project["seed_name"])
        assert project["seed_name"] in project["name_zh"]
        assert project["name_en"].strip()
        # the seed names no lead agency for any project: none is invented
        assert project.get("lead_agency") is None


def test_the_seven_safeguard_measures_in_the_seeds_words_and_order():
    sentence = DATA["safeguards_sentence"]
    assert sentence in SEED and "七方面保障措施" in sentence
    assert len(DATA["safeguards"]) == 7
    at = 0
    for measure in DATA["safeguards"]:
        at = sentence.index(measure["seed_name"], at) + len(measure["seed_name"])


@pytest.mark.parametrize(("code", "kind", "statement"), statements(), ids=lambda v: str(v)[:40])
def test_every_figure_is_quoted_from_the_seed_and_read_from_its_own_words(code, kind, statement):
    source = statement["source"]
    assert source in SEED, f"{code}: source sentence not in the seed"
    assert source.count(statement["as_written"]) == 1
    indicator = next(i for i in DATA["indicators"] if i["code"] == code)
    quantity = read_quantity(statement["as_written"], indicator["unit"])
    assert quantity.value >= 0
    # Results are stated "到2013年底"; targets "到 2016 年", or "未来三年" (2014–2016) for the 50.
    if kind == "target":
        assert f"{statement['year']} 年" in source or "未来三年" in source
    elif statement["year"] not in (None, 2013):
        assert f"{statement['year']}年" in source


@pytest.mark.parametrize(("code", "comparison"), comparisons(), ids=lambda v: str(v)[:40])
def test_every_comparison_with_2010_is_quoted_with_its_factor(code, comparison):
    assert comparison["source"] in SEED
    assert comparison["as_written"] in comparison["source"]
    assert f"{comparison['year']}年" in comparison["source"]
    assert read_multiple(comparison["as_written"]) == comparison["multiple"]


def test_the_issues_headline_figures_are_read_as_stated():
    def figures(code):
        indicator = next(i for i in DATA["indicators"] if i["code"] == code)
        return [
            (
                read_quantity(indicator[k]["as_written"], indicator["unit"]).value
                if indicator[k]
                else None
            )
            for k in ("baseline", "target")
        ]

    assert figures("household-fibre-take-up") == [42, 60]
    assert figures("mobile-3g4g-penetration") == [48, 70]
    assert figures("public-wifi-access-points") == [160_000, 200_000]
    assert figures("informatization-industrialization-index") == [80.4, 86.5]
    assert figures("e-commerce-volume") == [10_600, 20_000]  # 100 million yuan
    assert figures("information-services-revenue") == [None, 6_800]
    assert figures("information-services-gdp-share") == [6.4, 7]
    assert figures("food-safety-complaint-handling-days") == [30, None]
    assert figures("grid-management-coverage") == [None, 100]
    assert read_quantity("突破 20 万个", "access_points").comparator == "over"
    assert read_quantity("约800万户", "households").comparator == "about"
    assert read_quantity("3000多万份", "records").value == 30_000_000


def test_indicator_codes_units_and_references_are_consistent():
    indicators = DATA["indicators"] + DATA["platform_indicators"]
    codes = [i["code"] for i in indicators]
    assert len(codes) == len(set(codes))
    pillars = {p["code"]: p for p in DATA["pillars"]}
    projects = {f"{p['code']}-{n}" for p in DATA["pillars"] for n in range(1, 99)}
    for indicator in indicators:
        assert indicator["unit"] in UNITS
        assert indicator["pillar"] is None or indicator["pillar"] in pillars
        assert indicator["project"] is None or indicator["project"] in projects
        assert indicator["direction"] in ("up", "down")
    for milestone in DATA["milestones"]:
        assert milestone["source"] in SEED


# Numbers of the seed that are not indicator figures, each with why.
NOT_FIGURES = {
    "9月10日": "date of the press conference",
    "2014~2016": "the plan period",
    "2011年9月": "when the first plan was published",
    "2014-9-10": "publication date",
    "3G": "network generation",
    "4G": "network generation",
    "CDMA2000": "name of a standard",
    "TD-LTE": "name of a standard",
    "FDD-LTE": "name of a standard",
    "到2013年底": "the baseline date",
    "截至2013年底": "the baseline date",
    "截至 2013 年底": "the baseline date",
    "2010年底": "comparison date",
    "到 2016 年": "the target date",
    "8 个": "group count (checked above)",
    "5 个": "group count (checked above)",
    "6 个": "group count (checked above)",
    "2010年的": "comparison year",
    "2011年的": "historical year",
    "2013年的": "baseline year",
    "2013年电子商务": "baseline year",
    "到2016年底": "the target date",
    "“12345”": "name of the citizen hotline",
}


def test_every_number_in_the_seed_is_an_indicator_figure_or_explained():
    covered: list[tuple[int, int]] = []
    for _, _, statement in statements():
        start = SEED.index(statement["source"]) + statement["source"].index(statement["as_written"])
        covered.append((start, start + len(statement["as_written"])))
    for _, comparison in comparisons():
        start = SEED.index(comparison["source"]) + comparison["source"].index(
            comparison["as_written"]
        )
        covered.append((start, start + len(comparison["as_written"])))
    structure = DATA["programme"]["structure_sentence"]
    start = SEED.index(structure) + structure.index("50 个")
    covered.append((start, start + 4))
    explained = [
        (m.start(), m.end())
        for context in NOT_FIGURES
        for m in re.finditer(re.escape(context), SEED)
    ]
    unexplained = []
    for number in re.finditer(r"\d+(?:\.\d+)?", SEED):
        spans = covered + explained
        if not any(a <= number.start() and number.end() <= b for a, b in spans):
            unexplained.append(SEED[max(0, number.start() - 12) : number.end() + 6])
    assert unexplained == []
