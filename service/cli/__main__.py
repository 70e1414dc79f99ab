"""``python -m service.cli``: the same command line as the ``puheturva`` console script."""

from service.cli.main import main

main()
