# SPDX-License-Identifier: Apache-2.0
"""The desk agent (``cardkit agent``): a local HTTP/WebSocket service on 127.0.0.1 through which
web hospital (HIS) and one-stop-shop software reads the card at the desk.

Modules: ``config`` (agent.toml), ``problems`` (typed HTTP errors, English | Vietnamese),
``tokens`` (pairings, hashed in a 0600 file), ``security`` (Host, Origin/CORS, Private Network
Access, tokens, size and rate limits: one ASGI middleware), ``sources`` (where the card is),
``events`` (the event stream), ``owner`` (the one owner of the reader), ``watchers`` (who else
sees its reads: the station's screen), ``faces`` (in memory, expiring), ``pairing`` (origins
approved on the station's screen), ``schema`` (OpenAPI and the JSON Schema of the read result),
``app`` (the routes), ``server`` (uvicorn in a thread of the station), ``static/`` (the ES module
client and the demo page). The library never imports this package (import-linter contract);
the station hosts it through ``cardkit.tui.agent_host`` only.
"""
