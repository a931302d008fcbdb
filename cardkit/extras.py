# SPDX-License-Identifier: Apache-2.0
"""Optional extras: what ``pip install cardkit`` leaves out, and the one message when it is needed.

``pip install cardkit`` is the card reader (PC/SC, ICAO 9303 access, secure messaging,
passive/active/chip authentication, the simulated card). The rest comes as extras named in
``pyproject.toml``; code that needs one calls :func:`require` at its entry, so a missing extra is
one typed line naming the ``pip install`` to run, never an ``ImportError`` traceback from deep
inside. The module lists here must match ``[project.optional-dependencies]`` (a test checks it).
"""

from __future__ import annotations

import importlib.util
from enum import StrEnum

from cardkit.errors import CardkitError


class Extra(StrEnum):
    REGISTRY = "registry"
    PG = "pg"
    QR = "qr"
    STATION = "station"
    BHYT = "bhyt"
    ADDRESS = "address"
    AGENT = "agent"


# The import names of each extra's distributions (pyproject: polars, pyarrow, adbc-driver-sqlite,
# xxhash, openpyxl, rapidfuzz; psycopg; zxing-cpp, pyzbar, opencv-python-headless, numpy;
# textual, textual-image; httpx, starlette, uvicorn; vietnamadminunits). The station also needs
# the registry.
MODULES: dict[Extra, tuple[str, ...]] = {
    Extra.REGISTRY: ("polars", "pyarrow", "adbc_driver_sqlite", "xxhash", "openpyxl", "rapidfuzz"),
    Extra.PG: ("psycopg",),
    Extra.QR: ("cv2", "numpy", "zxingcpp", "pyzbar"),
    Extra.STATION: ("textual", "textual_image"),
    Extra.BHYT: ("httpx", "starlette", "uvicorn"),
    Extra.ADDRESS: ("vietnamadminunits",),
    Extra.AGENT: ("starlette", "uvicorn", "websockets", "jsonschema"),
}
NEEDS: dict[Extra, tuple[Extra, ...]] = {Extra.STATION: (Extra.REGISTRY,), Extra.AGENT: (Extra.REGISTRY, Extra.STATION)}


class MissingExtraError(CardkitError, ImportError):
    """An optional part of cardkit is used without its extra installed. Also an
    :class:`ImportError`, so code that probes for an optional feature keeps working."""

    def __init__(self, extra: Extra, module: str) -> None:
        command = f"pip install 'cardkit[{extra.value}]'"
        CardkitError.__init__(
            self, f"the optional extra '{extra.value}' is not installed (no module {module}): {command}",
            message_vi=f"Chưa cài gói tùy chọn '{extra.value}' (thiếu mô-đun {module}): {command}")
        self.extra, self.name = extra, module  # ``name``: ImportError's missing module

    @classmethod
    def of(cls, extra: Extra, exc: ImportError) -> MissingExtraError:
        """From the :class:`ImportError` of a module of ``extra`` (its ``name``, when it has one)."""
        return cls(extra, exc.name or str(exc))


def missing(extra: Extra, *modules: str) -> str | None:
    """The first of ``modules`` (default: every module of ``extra`` and of the extras it needs)
    that cannot be imported, or None."""
    names = modules or (*(m for e in NEEDS.get(extra, ()) for m in MODULES[e]), *MODULES[extra])
    for name in names:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):  # a broken install, or a module blocked in sys.modules
            return name
    return None


def require(extra: Extra, *modules: str) -> None:
    """Raise :class:`MissingExtraError` naming ``extra`` unless ``modules`` (default: all of the
    extra's) are importable. Only looks them up (``find_spec``): nothing is imported here."""
    name = missing(extra, *modules)
    if name is not None:
        raise MissingExtraError(extra, name)
