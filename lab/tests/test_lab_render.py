"""Report rendering helpers."""

from lab.render import plain_params
from lab.templatetags.lab import sql_params


class Int4(int):
    """What psycopg 3 wraps an integer param in."""

    def __repr__(self) -> str:
        return f"Int4({int(self)})"


def test_sql_params_show_plain_python_values():
    assert plain_params([Int4(1), 2.5, "x", None, True]) == (1, 2.5, "x", None, True)
    assert sql_params([Int4(3)]) == "(3,)"


def test_named_params_are_shown_as_they_were_sent():
    assert sql_params({"title": "A1"}) == "{'title': 'A1'}"


def test_a_step_with_thousands_of_queries_lists_the_first_40_and_counts_them_all():
    from django.template.loader import render_to_string

    from lab.recorder import Query, Step

    step = Step(label="N+1")
    step.queries = [Query(f"SELECT {i}", None, f"SELECT {i}", "default", "sqlite", 0.1) for i in range(2002)]
    html = render_to_string("lab/sql.html", {"step": step})
    assert "2002 queries" in html
    assert html.count('class="lab-sql__item"') == 40
    assert "… and 1962 more statements" in html
