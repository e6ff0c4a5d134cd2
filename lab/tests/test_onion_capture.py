"""The lab's log capture: a run sees its own records, nobody else's, and changes nobody's output."""

import logging
import threading

from lab.logs import capture_logs
from lab.recorder import Recorder, recording


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_capture_sees_debug_records_of_its_run_only_and_leaves_the_console_alone():
    logger = logging.getLogger("lab.test-capture")
    logger.setLevel(logging.INFO)
    console = ListHandler()
    logger.addHandler(console)
    try:
        with recording(Recorder()):
            with capture_logs("lab.test-capture", level=logging.DEBUG) as records:
                logger.debug("mine, debug")
                logger.info("mine, info")
                other = threading.Thread(target=lambda: (logger.debug("other, debug"), logger.info("other, info")))
                other.start()
                other.join()
        assert [r.getMessage() for r in records] == ["mine, debug", "mine, info"]
        assert console.messages == ["mine, info", "other, info"]
        assert logger.level == logging.INFO and not logger.filters
    finally:
        logger.removeHandler(console)
