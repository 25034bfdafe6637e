"""A static feed farm for the polling benchmark.

- ``generate``: writes N deterministic RSS 2.0 feeds (30 news items each) and the article pages they link to.
- ``server``: serves a farm directory with nginx on loopback, or inside a network namespace of the benchmark's
  own reached through a link with added latency; tears everything down at exit.
- ``ref_*``: the reference pollers the benchmark times (each runs as its own process).
"""
