"""Subcommands of the ``lco-sim`` command line, one module each."""
