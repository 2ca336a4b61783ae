"""GET /api/cases/evaluation: JSON and CSV for Excel, the staff permission, and 422 for bad
parameters."""

from __future__ import annotations

import csv
import io

import pytest

from tests.cases.test_evaluation import PERIOD, day  # noqa: F401  (the day's cases)


def test_the_json_report_gives_the_figures_per_department(day):  # noqa: F811
    dispatcher = day["dispatcher"]
    body = dispatcher.ok(dispatcher.request("GET", "/evaluation", params=PERIOD))
    assert body["by"] == "department" and body["as_of"].startswith("2026-01-07T02:01")
    rows = {r["key"]: r for r in body["rows"]}
    a = rows[day["a"]]
    assert (a["registered"], a["due"], a["closed"], a["closed_on_time"]) == (5, 5, 3, 3)
    assert (a["closure_rate"], a["on_time_closure_rate"]) == (0.6, 0.6)
    assert (a["handling_hours_mean"], a["handling_hours_p90"]) == (6.33, 16.0)
    assert (a["return_rate"], a["reopen_rate"], a["satisfied_share"]) == (0.2, 0.25, 0.5)
    assert body["total"]["registered"] == 7 and body["total"]["name_zh"] == "全市"
    assert "按期结案率" in body["method"]


def test_the_csv_report_opens_in_excel_with_chinese_and_english_headers(day):  # noqa: F811
    dispatcher = day["dispatcher"]
    params = {**PERIOD, "by": "street"}
    answer = dispatcher.request("GET", "/evaluation", params=params, headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert (
        table[0][3] == "立案数 Registered" and "按期结案率(%) On-time closure rate (%)" in table[0]
    )
    assert [row[1] for row in table[1:]][-1] == "全市" and len(table) == 4  # 2 streets + city
    same = dispatcher.request("GET", "/evaluation", params={**params, "format": "csv"})
    assert same.content == answer.content


@pytest.mark.parametrize(
    "params",
    [
        {"to": "2026-01-08"},
        {"from": "2026-01-05"},
        {"from": "yesterday", "to": "2026-01-08"},
        {"from": "2026-01-08", "to": "2026-01-05"},
        {**PERIOD, "by": "cell"},
        {**PERIOD, "category": "H99"},
        {**PERIOD, "category": "not a code"},
        {**PERIOD, "source": "fax"},
        {**PERIOD, "format": "xml"},
    ],
)
def test_bad_parameters_are_refused_with_422(caller, params):
    dispatcher = caller("dispatcher")
    answer = dispatcher.request("GET", "/evaluation", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "validation_error"


def test_citizens_may_not_read_the_evaluation(caller, city):
    answer = caller("citizen").request("GET", "/evaluation", params=PERIOD)
    assert answer.status_code == 403


def test_a_handler_sees_the_figures_of_their_own_department_only(caller, day):  # noqa: F811
    handler = caller("handler", day["b"])
    body = handler.ok(handler.request("GET", "/evaluation", params=PERIOD))
    assert [r["key"] for r in body["rows"]] == [day["b"]]
    assert body["total"]["registered"] == 1
