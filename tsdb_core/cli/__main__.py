"""``python -m tsdb_core.cli``: the same as the ``tsdb`` command."""
from . import main

main()
