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
