"""Subcommands of ``run.py``; each module has ``register(subparsers)``."""
