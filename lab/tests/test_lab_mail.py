"""The lab email backend: reports each message, and keeps the outbox bounded on a long-running server."""

from django.core import mail

from lab.mail import OUTBOX_LIMIT, EmailBackend
from lab.testing import recorded


def test_each_message_sent_during_a_run_shows_in_its_report():
    with recorded() as lab:
        EmailBackend().send_messages([mail.EmailMessage("Welcome", "Hi", to=["ann@example.com"])])
    (event,) = lab.signals
    assert event.details == {"to": "ann@example.com", "subject": "Welcome"}


def test_the_outbox_keeps_only_the_latest_messages(settings):
    mail.outbox = []
    backend = EmailBackend()
    for i in range(OUTBOX_LIMIT + 5):
        backend.send_messages([mail.EmailMessage(f"m{i}", "", to=["x@example.com"])])
    assert len(mail.outbox) == OUTBOX_LIMIT
    assert mail.outbox[-1].subject == f"m{OUTBOX_LIMIT + 4}"
