"""The sandbox's signal receivers, one module per topic, connected by importing them (SandboxConfig.ready).

Each receiver is wrapped in `lab.hooks.traced_receiver`, so a lab run
records it and a learner can switch it off for their own runs, and connected
with a dispatch_uid so a second import can never connect it twice.
"""

import importlib
import pkgutil


def connect_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
