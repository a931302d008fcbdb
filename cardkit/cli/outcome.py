# SPDX-License-Identifier: Apache-2.0
"""What the verifying commands share: the exit status of a verdict and the ``--trust`` store.

``cardkit read``, ``cardkit verify`` and ``cardkit verify --receipt`` end the same way: 0 VALID,
1 INVALID, 3 UNKNOWN_ISSUER or NOT_CHECKED (2 is an error, set by :mod:`cardkit.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cardkit.errors import FileAccessError
from cardkit.icao.verdict import Status

if TYPE_CHECKING:  # the trust store pulls in asn1crypto: loaded when a command needs it
    from cardkit.icao.pa.trust import TrustStore

EXIT = {Status.VALID: 0, Status.INVALID: 1, Status.UNKNOWN_ISSUER: 3, Status.NOT_CHECKED: 3}


def load_trust(path: Path | None) -> TrustStore:
    """The store at ``--trust``, which must exist (a typo must not verify against an empty
    store); without ``--trust`` the default folder, empty if it was never made."""
    if path is not None and not path.exists():
        raise FileAccessError(f"cannot read trust store {path}: no such file or folder",
                              message_vi=f"Không đọc được kho chứng thư tin cậy {path}: không tồn tại.", path=str(path))
    from cardkit.trustdir import load_trust_store  # noqa: PLC0415 - see TYPE_CHECKING above

    return load_trust_store(path)
