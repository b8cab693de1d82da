"""The audit page a client reads (`/audit/`) and its CSV (`/audit/candidates.csv`) on client A's host:
the ranked candidates with their figures for every role, the frequency-versus-duration chart, the
low-confidence mark, refused windows, the privacy fold, friction notes without names, and CSV cells
that no spreadsheet runs."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context
from reportlab.graphics import renderPDF

from audits.charts import candidate_chart
from audits.csv_export import csv_cell, csv_cell_escape, csv_text
from audits.models import AuditSettings, FrictionVote, Participant
from audits.selectors import candidate_list
from audits.services import imports
from smartwork.actors import Actor
from tests.audits.factories import FrictionVoteFactory, SurveyLinkFactory
from tests.conftest import login

ACTOR = Actor.cli("tests")
WORKDAYS = [f"2026-09-{day:02d}" for day in (7, 8, 9, 10, 11, 14, 15, 16, 17, 18)]  # 10 working days
SUPPORT = [f"agent{n}@client.test" for n in range(5)]  # k = 5: the team is shown by its name
ROLES = ["admin", "consultant", "viewer"]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def generic(rows: list[tuple[str, str, str, str, int]]) -> None:
    """Import (person, team, task, date, minutes) rows through the real import path."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["person", "team", "task", "date", "minutes"])
    writer.writerows(rows)
    data = out.getvalue().encode()
    job = imports.import_job_create(upload=io.BytesIO(data), filename="g.csv", size=len(data), actor=ACTOR)
    imports.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.message


def window_set(**extra) -> None:
    AuditSettings.objects.update(window_start="2026-09-07", window_end="2026-09-18", hourly_cost=30, **extra)


@pytest.fixture
def ranked(world, db):
    """Answer emails: 100 entries of 10 minutes by Support's 5 agents (35 h a month, rank 1); Board
    report: one entry of 3 hours by Finance's one person (6.3 h a month, low confidence)."""
    with tenant_context(world.a.client):
        window_set()
        rows = [(SUPPORT[n % 5], "Support", "Answer emails", day, 10) for day in WORKDAYS for n in range(10)]
        rows.append(("cfo@client.test", "Finance", "Board report", "2026-09-15", 180))
        generic(rows)
    return world.a


def person(world, role: str) -> HttpClient:
    http = HttpClient()
    login(http, host=world.a.domain, email=getattr(world.a, role).email)
    return http


def get(http: HttpClient, world, path: str):
    return http.get(path, HTTP_HOST=world.a.domain)


def ranking(page: str) -> list[dict[str, str]]:
    """The ranking table's rows, top first: each row's cells by their label (tags stripped, spaces
    collapsed), and "name": the task's name alone."""
    rows = []
    for row in re.findall(r'<tr id="candidate-\d+"[^>]*>.*?</tr>', page, re.S):
        found = re.findall(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S)
        cells = {label: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for label, text in found}
        cells["name"] = re.search(r'<td data-label="Task">([^<]*)', row)[1].strip()
        rows.append(cells)
    return rows


def task_order(page: str) -> list[str]:
    return [row["name"] for row in ranking(page)]


def row_of(page: str, task_name: str) -> dict[str, str]:
    (row,) = [row for row in ranking(page) if row["name"] == task_name]
    return row


def chart_svg(page: str) -> str:
    match = re.search(r'<svg[^>]*id="candidate-chart".*?</svg>', page, re.S)
    assert match, "no chart on the page"
    return match[0]


def bubble_radius_by_rank(svg: str) -> dict[int, float]:
    """Each bubble's radius by the rank written on it (rank labels are the bold numbers, each drawn on
    or just above its bubble: the nearest centre is its bubble's)."""
    circles = [
        tuple(map(float, found)) for found in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg)
    ]
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*font-weight: bold[^>]*>(\d+)</text>', svg)

    def nearest(x: float, y: float) -> float:
        return min(circles, key=lambda c: (c[0] - x) ** 2 + (c[1] - y) ** 2)[2]

    return {int(rank): nearest(float(x), float(y)) for x, y, rank in labels}


# --- the ranking, for every role ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_ranking_with_the_top_candidate_first_and_its_figures_rounded(world, ranked, role):
    response = get(person(world, role), world, "/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert task_order(page) == ["Answer emails", "Board report"]
    currency = world.a.client.currency
    assert row_of(page, "Answer emails") == {
        "name": "Answer emails",
        "Rank": "1",
        "Task": "Answer emails",
        "Team": "Support",
        "Entries": "100",
        "Occurrences / month": "210.00",  # 100 entries / 10 working days * 21
        "Minutes / occurrence": "10.00",
        "Hours / month": "35.00",  # 1,000 minutes / 60 / 10 * 21
        "Automation potential": "50.00 %",  # no suitability answered
        "Recoverable h / month": "17.50",
        "Pain (votes)": "3.00 (no votes)",
        "Priority": "17.50",
        "Value / month": f"525.00 {currency}",  # 17.5 h at the client's 30 an hour
    }
    board = row_of(page, "Board report")
    assert (board["Occurrences / month"], board["Minutes / occurrence"], board["Hours / month"]) == (
        "2.10",
        "180.00",
        "6.30",
    )
    assert 'href="/audit/candidates.csv?start=2026-09-07&amp;end=2026-09-18"' in page
    assert "From <strong>2026-09-07</strong> to <strong>2026-09-18</strong>: 10 working days" in page


def test_the_ranking_is_the_first_link_of_the_audit_nav_and_the_top_bar_audit_link_leads_to_it(world, ranked):
    page = get(person(world, "viewer"), world, "/audit/").content.decode()
    subnav = re.search(r'<nav class="subnav".*?</nav>', page, re.S)[0]
    assert re.findall(r'href="([^"]+)"', subnav)[0] == "/audit/"
    assert '<a href="/audit/" aria-current="page">Ranking</a>' in subnav
    assert 'href="/audit/">Audit</a>' in page


def test_the_page_rounds_large_figures_with_thousands_separators(world, db):
    with tenant_context(world.a.client):
        window_set()
        generic([(SUPPORT[n % 5], "Support", "Answer emails", day, 10) for day in WORKDAYS for n in range(50)])
    row = row_of(get(person(world, "admin"), world, "/audit/").content.decode(), "Answer emails")
    assert (row["Occurrences / month"], row["Hours / month"]) == ("1,050.00", "175.00")
    assert row["Value / month"] == f"2,625.00 {world.a.client.currency}"


def test_a_task_with_fewer_than_three_entries_carries_the_low_confidence_mark_and_its_reason(world, ranked):
    page = get(person(world, "viewer"), world, "/audit/").content.decode()
    assert "low confidence" in row_of(page, "Board report")["Task"]
    assert "low confidence" not in row_of(page, "Answer emails")["Task"]
    note = re.search(r'<p class="small" id="low-confidence-note">.*?</p>', page, re.S)[0]
    assert "Fewer than 3 entries in the window: a monthly figure extrapolated from very few." in note


def test_without_entries_the_page_says_so_and_leads_to_the_imports(world, db):
    page = get(person(world, "admin"), world, "/audit/").content.decode()
    empty = re.search(r'<section class="card" id="no-candidates">.*?</section>', page, re.S)[0]
    assert "There are no time entries yet." in empty and 'href="/audit/imports/"' in empty
    assert "<svg" not in page and 'id="candidates"' not in page


def test_a_window_without_entries_says_so_when_other_dates_have_some(world, ranked):
    response = get(person(world, "admin"), world, "/audit/?start=2026-10-05&end=2026-10-09")
    assert response.status_code == 200
    assert "No time entries fall in this window." in response.content.decode()


# --- the window ------------------------------------------------------------------------------------


def test_a_weekend_window_is_refused_with_its_reason_on_the_page_and_for_the_csv(world, ranked):
    http = person(world, "viewer")
    for path in ("/audit/", "/audit/candidates.csv"):
        response = get(http, world, f"{path}?start=2026-09-12&end=2026-09-13")
        assert response.status_code == 400, path
        page = response.content.decode()
        refused = re.search(r'<p class="flash error" role="alert" id="window-refused">(.*?)</p>', page, re.S)[1]
        assert "The window 2026-09-12 to 2026-09-13 has no working day" in refused
        assert 'id="candidates"' not in page and "<svg" not in page
        assert 'value="2026-09-12"' in page  # the dates asked stay in the form to correct


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("start=2026-09-18&end=2026-09-07", "ends (2026-09-07) before it starts (2026-09-18)"),
        ("start=2026-09-07", "Give both dates, or neither for the audit window."),
        ("start=not-a-date&end=2026-09-18", "From: Enter a valid date."),
        ("start=2020-01-01&end=2026-09-18", "A window covers at most 731 days"),
    ],
    ids=["reversed", "one-date", "not-a-date", "too-long"],
)
def test_a_window_the_page_cannot_use_is_refused_with_400_not_an_error(world, ranked, query, reason):
    response = get(person(world, "admin"), world, f"/audit/?{query}")
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_without_dates_the_page_uses_the_audit_window_and_other_dates_change_the_figures(world, ranked):
    http = person(world, "admin")
    one_week = get(http, world, "/audit/?start=2026-09-14&end=2026-09-18").content.decode()
    assert task_order(one_week) == ["Answer emails", "Board report"]
    assert row_of(one_week, "Answer emails")["Entries"] == "50"
    assert "5 working days" in one_week


# --- the chart -------------------------------------------------------------------------------------


def test_the_chart_draws_one_bubble_per_candidate_and_the_top_candidate_largest(world, ranked):
    page = get(person(world, "viewer"), world, "/audit/").content.decode()
    svg = chart_svg(page)
    assert 'role="img"' in svg and 'aria-label="Automation candidates: ' in svg
    assert re.search(r"<title>Automation candidates: [^<]+</title>", svg)
    assert svg.count("<circle") == 2
    radius = bubble_radius_by_rank(svg)
    assert radius[1] > radius[2]  # 35 h a month against 6.3: area in proportion, so radius by its root
    assert radius[1] / radius[2] == pytest.approx((35 / 6.3) ** 0.5, rel=0.01)
    assert "Answer emails" in svg and "Board report" in svg  # the top five are named


def test_a_task_name_in_the_chart_is_text_never_markup(world, db):
    with tenant_context(world.a.client):
        window_set()
        generic([(SUPPORT[0], "Support", "<script>alert(1)</script>", day, 10) for day in WORKDAYS])
    page = get(person(world, "admin"), world, "/audit/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart_svg(page)


def test_the_same_chart_drawing_renders_a_pdf_for_the_reports(world, ranked):
    with tenant_context(world.a.client):
        pdf = renderPDF.drawToString(candidate_chart(candidate_list()))
    assert pdf.startswith(b"%PDF")


# --- privacy ---------------------------------------------------------------------------------------


def test_a_team_under_k_people_is_shown_as_other_teams(world, ranked):
    page = get(person(world, "viewer"), world, "/audit/").content.decode()
    assert row_of(page, "Board report")["Team"] == "Other teams"  # Finance: 1 person, k = 5
    assert row_of(page, "Answer emails")["Team"] == "Support"
    assert "Finance" not in page


def test_friction_notes_show_per_task_without_any_name(world, ranked):
    with tenant_context(world.a.client):
        task = candidate_list()[0]
        link = SurveyLinkFactory()
        FrictionVoteFactory(task_id=task.task_id, survey_link=link, pain=5, note="The CRM times out on attachments")
        FrictionVoteFactory(task_id=task.task_id, survey_link=link, pain=4, note="Copying order numbers by hand")
        FrictionVoteFactory(task_id=task.task_id, survey_link=link, pain=5, note="")
        voter_keys = list(FrictionVote.objects.values_list("voter_key", flat=True))
        pseudonyms = list(Participant.objects.values_list("pseudonym", flat=True))
    page = get(person(world, "viewer"), world, "/audit/").content.decode()
    notes = re.search(rf'<details id="friction-notes-{task.task_id}">.*?</details>', page, re.S)[0]
    assert "pain 4.67 from 3 votes, 2 notes" in " ".join(notes.split())
    assert re.findall(r"<li>([^<]+)</li>", notes) == [
        "Copying order numbers by hand",
        "The CRM times out on attachments",
    ]
    assert row_of(page, "Answer emails")["Pain (votes)"] == "4.67 (3 votes)"
    names = [*SUPPORT, "cfo@client.test", *pseudonyms, *voter_keys, world.a.admin.email, world.a.viewer.email]
    main = page.split("<main>", 1)[1]  # the top bar names the signed-in person; the page below names nobody
    assert [name for name in names if name in main] == []


# --- the CSV ---------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("role", ROLES)
def test_the_csv_has_a_header_and_one_row_per_candidate_with_exact_numbers(world, ranked, role):
    response = get(person(world, role), world, "/audit/candidates.csv?start=2026-09-07&end=2026-09-18")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="candidates-2026-09-07-to-2026-09-18.csv"'
    header, *rows = csv_rows(response)
    assert header[:4] == ["rank", "task", "process", "team"] and "value_per_month" in header
    assert [row[header.index("task")] for row in rows] == ["Answer emails", "Board report"]
    top = dict(zip(header, rows[0], strict=True))
    assert Decimal(top["occurrences_per_month"]) == Decimal(210) and top["occurrences_per_month"] == "210.0000"
    assert Decimal(top["hours_per_month"]) == Decimal(35)
    assert Decimal(top["automation_potential"]) == Decimal("0.5")
    assert Decimal(top["value_per_month"]) == Decimal(525)
    assert (top["currency"], top["team"], top["low_confidence"], int(top["entries"])) == (
        world.a.client.currency,
        "Support",
        "false",
        100,
    )
    bottom = dict(zip(header, rows[1], strict=True))
    assert (bottom["team"], bottom["low_confidence"], bottom["minutes_per_occurrence"]) == (
        "Other teams",
        "true",
        "180.0000",
    )


def test_the_csv_without_dates_covers_the_audit_window(world, ranked):
    response = get(person(world, "admin"), world, "/audit/candidates.csv")
    assert response["Content-Disposition"].endswith('filename="candidates-2026-09-07-to-2026-09-18.csv"')
    assert len(csv_rows(response)) == 3


def test_task_names_that_a_spreadsheet_would_run_come_out_escaped_in_the_csv(world, db):
    dangerous = ['=HYPERLINK("http://evil.test","click")', "+1", "-2", "@x"]
    with tenant_context(world.a.client):
        window_set()
        generic([(SUPPORT[0], "Support", name, "2026-09-07", 10 + n) for n, name in enumerate(dangerous)])
    header, *rows = csv_rows(get(person(world, "admin"), world, "/audit/candidates.csv"))
    names = sorted(row[header.index("task")] for row in rows)
    assert names == sorted("'" + name for name in dangerous)
    for row in rows:  # the figures of the same rows stay plain numbers
        assert Decimal(row[header.index("hours_per_month")]) > 0
        assert not row[header.index("minutes")].startswith("'")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Answer emails", "Answer emails"),
        ("a=b", "a=b"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return", "plain", "inner-equals", "empty", "quote"],
)
def test_a_text_cell_that_starts_a_formula_gets_a_single_quote_and_others_stay_as_they_are(text, shown):
    assert csv_cell_escape(text) == shown


def test_numbers_stay_numbers_in_a_csv_cell(db):
    assert csv_cell(Decimal("-2")) == "-2.0000"  # a negative number is a number, not a formula
    assert csv_cell(Decimal("1") / 3) == "0.3333"
    assert csv_cell(-2) == -2
    assert (csv_cell(True), csv_cell(False), csv_cell(None)) == ("true", "false", "")


def test_a_csv_escapes_its_header_and_text_but_not_its_numbers(db):
    text = csv_text(header=["=name", "value"], rows=[["-x", Decimal("-1.5")], ["@y", 3]])
    assert list(csv.reader(io.StringIO(text))) == [["'=name", "value"], ["'-x", "-1.5000"], ["'@y", "3"]]
