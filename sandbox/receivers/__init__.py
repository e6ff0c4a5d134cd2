"""The sandbox's signal receivers, one module per topic, connected by importing them (SandboxConfig.ready).

Each receiver is connected with a dispatch_uid, so a second import of its
module can never connect it twice.
"""

import importlib
import pkgutil


def connect_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
