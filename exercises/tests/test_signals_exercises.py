"""The Signals exercises judge the learner's receivers alone, and leave the dispatcher as they found it."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from lab import exercises

SIGNALS = (pre_save, post_save, post_delete, m2m_changed)

NO_RECEIVER = """from sandbox.models import Review


def import_reviews(reviews):
    return Review.objects.bulk_create(reviews)
"""


def keys():
    return {signal: [entry[0] for entry in signal.receivers] for signal in SIGNALS}


def test_the_bookshops_own_receiver_does_not_pass_for_a_learner_who_wrote_none(seeded):
    # update_review_stats is connected in this process and would keep the count right.
    assert "sandbox.update_review_stats" in [entry[0][0] for entry in post_save.receivers]
    result = exercises.attempt(exercises.get("signals.review-count"), NO_RECEIVER, "check")
    assert not result.ok
    assert "Is your receiver connected to post_save for Review?" in result.messages[0]


def test_the_reference_solutions_receivers_do_not_pass_for_the_learner(seeded):
    # The reference connects count_reviews too (its module imports after the learner's): set aside as well.
    ex = exercises.get("signals.review-count")
    result = exercises.attempt(ex, ex.starter, "check")
    assert [c.passed for c in result.checks][:3] == [True, True, False]


def test_every_attempt_leaves_the_receivers_exactly_as_they_were(seeded):
    before = keys()
    for ex in exercises.all_exercises():
        if ex.track == "signals":
            for code in (ex.starter, ex.solution, *ex.mistakes):
                exercises.attempt(ex, code, "check")
                exercises.attempt(ex, code, "run")
    assert keys() == before


def test_only_the_learners_receivers_run_in_the_block_and_the_list_comes_back_in_order(seeded):
    from exercises.signals_kit import learner_receivers_only
    from lab.exercises import load
    from sandbox.models import Publisher

    module = load("learner", "calls = []\n\ndef mine(sender, **kwargs):\n    calls.append(sender)\n", "<your code>")
    post_save.connect(module.mine, sender=Publisher, dispatch_uid="test.mine")
    try:
        before = list(post_save.receivers)

        with learner_receivers_only():
            assert [entry[0][0] for entry in post_save.receivers] == ["test.mine"]  # the bookshop's are set aside
            post_save.connect(module.mine, sender=Publisher, weak=False, dispatch_uid="test.during")
            Publisher.objects.create(name="Mine")
        assert module.calls == [Publisher, Publisher]  # test.mine and test.during, nothing else
        assert post_save.receivers == before  # test.during is gone, the rest back in order
    finally:
        post_save.disconnect(sender=Publisher, dispatch_uid="test.mine")


def test_run_shows_every_step_even_when_the_learners_receiver_raises(seeded):
    ex = exercises.get("signals.author-count")
    (mistake,) = [code for code, message in ex.mistakes.items() if "pk_set=None" in message]
    result = exercises.attempt(ex, mistake, "run")
    assert result.error is None
    assert [step["key"] for step in result.report["steps"]] == ["add", "remove", "clear"]
    assert "TypeError" in result.report_html  # the clear() step shows the learner's error
