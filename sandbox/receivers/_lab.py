"""Lab bookkeeping for async receivers (sandbox.lab.hooks.traced_receiver wraps sync ones only).

The dispatcher decides sync or async with `iscoroutinefunction(receiver)`, so an
async receiver needs an async wrapper, or it would be called as sync and its
coroutine never awaited.
"""

import functools
from typing import Any

from ..lab.hooks import describe
from ..lab.recorder import SignalEvent, active


def traced_async_receiver(func):
    """The async twin of traced_receiver: record each run, honour a learner's off switch."""
    label = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    async def wrapper(sender: Any, **kwargs: Any) -> Any:
        recorder = active()
        if recorder is None:
            return await func(sender, **kwargs)
        if not recorder.receiver_enabled(label):
            recorder.record_signal(SignalEvent(kind="skipped", name=label, sender=describe(sender)))
            return None
        event = SignalEvent(kind="receiver", name=label, sender=describe(sender), details={"async": True})
        recorder.record_signal(event)
        try:
            return await func(sender, **kwargs)
        except Exception as exc:
            event.error = f"{type(exc).__name__}: {exc}"
            raise

    wrapper.lab_name = label  # type: ignore[attr-defined]
    return wrapper
