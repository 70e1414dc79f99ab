"""The ``puheturva`` command line (``main``) and its sub-commands (``commands``).

``app`` is exported here so that the console script ``service.cli:app`` and ``python -m service.cli``
(``__main__``) keep their names.
"""

from service.cli.main import app, main

__all__ = ["app", "main"]
