"""Run: ``watcher run``, the single-process daemon around ingest and notify.

- ``daemon``: APScheduler runs one poll job per source, the daily deadline check and the notifier
  (:func:`daemon.run_daemon`, :func:`daemon.serve_forever`)
- ``daemonlog``: the lines it logs at start and per pass
"""
