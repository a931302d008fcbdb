# SPDX-License-Identifier: Apache-2.0
"""The agent's uvicorn server in a thread of another program (the station): its own event loop,
so the HTTP side answers while the station's screen is busy drawing, and the reads run in its
thread pool as they do standalone.

The socket is bound before the server starts, so a port already in use is a typed error
(English | Vietnamese) at start instead of uvicorn's ``sys.exit`` inside a thread; ``port = 0``
takes a free port (tests), and :attr:`AgentServer.port` says which. Uvicorn installs no signal
handlers outside the main thread; :meth:`AgentServer.stop` asks it to finish the requests in
flight and joins the thread.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

from cardkit.agent.config import AgentConfig
from cardkit.errors import InputError

logger = logging.getLogger(__name__)


def bind(config: AgentConfig) -> socket.socket:
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        raise InputError(f"the desk agent cannot listen on {config.host}:{config.port}: {exc.strerror}",
                         message_vi=f"Không mở được dịch vụ đọc thẻ trên cổng {config.port} "
                                    "(cổng đang được dùng?).") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class AgentServer:
    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self.sock = bind(config)
        self.port: int = self.sock.getsockname()[1]
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self, app, *, timeout: float = 10.0) -> None:
        """Serve ``app`` (built for :attr:`port`) until :meth:`stop`; returns once it listens."""
        import uvicorn

        self._server = server = uvicorn.Server(uvicorn.Config(
            app, access_log=False, log_level="warning", ws="websockets-sansio", lifespan="off"))
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [self.sock]}, name="cardkit-agent",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise InputError("the desk agent did not start", message_vi="Dịch vụ đọc thẻ không khởi động được.")
            time.sleep(0.01)
        logger.info("desk agent listening on %s:%d", self.config.host, self.port)

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.sock.close()
