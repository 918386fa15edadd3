"""Reliability harness: kill loops, disk-full, load and fuzz runs against the real server.

``python -m reliability.run [--long]`` runs every scenario and prints the
figures RELIABILITY.md records; tests/reliability runs the short modes.
"""
