"""What the tests share: real servers on loopback and the helpers around them.

- ``feedserver``: a threaded HTTP server of RSS/Atom feeds with routes, counts and validators;
- ``hostile``: a raw-socket server that misbehaves (trickles, resets, lies about lengths, bombs);
- ``loopback``: an asyncio HTTP server whose handlers write the bytes themselves, and a fake resolver;
- ``dtdserver``: a server that records whether a parser fetched an external DTD or entity;
- ``alerting``: a real SMTP server (aiosmtpd), an HTTP receiver for Slack and webhooks, a clock,
  and a store with changes that owe alerts.

Plain ``pytest`` finds them: ``pythonpath`` in pyproject.toml puts the repository on the path.
"""
