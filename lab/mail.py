"""An email backend for the lab: Django's local-memory backend that also shows each message in the run's report.

Messages still land in `django.core.mail.outbox` (tests read it). The active
recorder gets a "note" event per message, so a learner sees exactly which
emails their own run sent, even when other learners' runs send at the same time.
"""

from django.core import mail
from django.core.mail.backends import locmem

from .events import SignalEvent
from .recorder import active
from .signals import current_cause

# A classroom server runs for weeks; the outbox only ever needs the latest messages.
OUTBOX_LIMIT = 200


class EmailBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        count = super().send_messages(messages)
        del mail.outbox[:-OUTBOX_LIMIT]
        recorder = active()
        if recorder is not None:
            for message in messages:
                recorder.record_signal(
                    SignalEvent(
                        kind="note",
                        name="email sent",
                        details={"to": ", ".join(message.to), "subject": message.subject},
                        parent=current_cause(),  # nested under the receiver or callback that sent it
                    )
                )
        return count
