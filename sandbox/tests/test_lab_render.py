"""Report rendering helpers."""

from sandbox.lab.render import plain_params
from sandbox.templatetags.lab import sql_params


class Int4(int):
    """What psycopg 3 wraps an integer param in."""

    def __repr__(self) -> str:
        return f"Int4({int(self)})"


def test_sql_params_show_plain_python_values():
    assert plain_params([Int4(1), 2.5, "x", None, True]) == (1, 2.5, "x", None, True)
    assert sql_params([Int4(3)]) == "(3,)"


def test_named_params_are_shown_as_they_were_sent():
    assert sql_params({"title": "A1"}) == "{'title': 'A1'}"
