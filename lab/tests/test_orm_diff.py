"""The query lab's SQL diff: what `compare` and the catalogue search highlight."""

from lab.sqldiff import diff_lines, sql_diff_figure


def test_unchanged_lines_appear_once_and_changed_lines_as_minus_then_plus():
    lines = diff_lines(["SELECT a", "FROM t", "WHERE x = 1"], ["SELECT a", "FROM t", "WHERE y = 1"])
    assert [(line.mark, line.text) for line in lines] == [
        (" ", "SELECT a"),
        (" ", "FROM t"),
        ("−", "WHERE x = 1"),
        ("+", "WHERE y = 1"),
    ]


def test_within_similar_lines_only_the_words_that_differ_are_marked():
    removed, added = diff_lines(['WHERE "book"."price" < %s'], ['WHERE T3."price" < %s'])
    assert [text for text, changed in removed.parts if changed] == ['"book"']
    assert [text for text, changed in added.parts if changed] == ["T3"]


def test_a_line_with_nothing_alike_on_the_other_side_is_marked_whole_without_word_marks():
    lines = diff_lines(["FROM t"], ["FROM t", 'INNER JOIN "book" T3 ON (t.id = T3.t_id)'])
    assert lines[-1].mark == "+"
    assert lines[-1].parts == [('INNER JOIN "book" T3 ON (t.id = T3.t_id)', False)]


def test_compare_draws_the_chained_filter_s_extra_join_as_an_added_line(run_demo):
    step = run_demo("orm.multi-valued").get("diff")
    html = step.figures[0].html
    assert step.figures[0].label == "SQL, differences highlighted"
    assert "− only in one filter()" in html and "+ only in chained filter()" in html
    inserted = [chunk.split("</ins>", 1)[0] for chunk in html.split("<ins")[1:]]
    assert any("INNER JOIN" in line and "T3" in line for line in inserted)
    assert html.count("<ins") + html.count("<del") == step.facts["sql_lines_differ"]


def test_identical_sql_is_drawn_with_no_marked_lines():
    html = sql_diff_figure("a", "b", diff_lines(["SELECT 1"], ["SELECT 1"]))
    assert "<ins" not in html and "<del" not in html and "SELECT 1" in html
