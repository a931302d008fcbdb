# SPDX-License-Identifier: Apache-2.0
"""PACE mappings as small strategy objects (ICAO 9303-11 §4.4.3.3): GM, IM and CAM.

Each strategy runs GA step 2 through the ``exchange`` callable of a :class:`MappingContext`
and returns the mapped domain parameters; :meth:`finish` looks at the GA step 4 response
(CAM decrypts DO 8A there). The group arithmetic lives in :mod:`cardkit.icao.domain`, shared
with the card simulator.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from cardkit.errors import AccessError
from cardkit.icao.crypto import CipherSuite, unpad
from cardkit.icao.domain import Domain, EcDomain, Element
from cardkit.icao.prf import chip_nonce_size, pseudo_random, terminal_nonce_size

Exchange = Callable[[str, int, bytes, bool], dict[int, bytes]]  # (step, tag, data, allow_empty) -> DOs

STEP_MAP = "GA step 2 (map nonce)"
STEP_TOKENS = "GA step 4 (mutual authentication)"


class PaceRandom(Protocol):
    """The terminal's randomness (TRANSCRIPTS.md "Inject the terminal randomness")."""

    def private_key(self, domain: Domain) -> int: ...

    def nonce(self, size: int) -> bytes: ...


class SystemRandom:
    """Default randomness: the ``secrets`` module."""

    def private_key(self, domain: Domain) -> int:
        return domain.random_private_key()

    def nonce(self, size: int) -> bytes:
        return secrets.token_bytes(size)


@dataclass
class FixedRandom:
    """Replays given values in order (tests, transcripts): GM/CAM take two private keys
    (mapping, then ephemeral); IM takes a nonce t and one private key."""

    private_keys: list[int] = field(default_factory=list)
    nonces: list[bytes] = field(default_factory=list)

    def private_key(self, domain: Domain) -> int:
        if not self.private_keys:
            raise AccessError("FixedRandom: no private key left")
        return self.private_keys.pop(0)

    def nonce(self, size: int) -> bytes:
        if not self.nonces:
            raise AccessError("FixedRandom: no nonce left")
        return self.nonces.pop(0)


@dataclass
class MappingContext:
    domain: Domain  # static domain parameters
    suite: CipherSuite
    rng: PaceRandom
    exchange: Exchange
    pk_map_ic: bytes = b""  # GM/CAM: the chip's mapping public key (CAM checks it)


@dataclass(frozen=True)
class CamResult:
    """PACE-CAM (9303-11 §4.4.3.5): CA_IC from DO 8A and the chip's mapping key PK_Map,IC."""

    domain: Domain
    ca_ic: int
    pk_map_ic: bytes

    def verify(self, chip_public_key: bytes) -> None:
        """Check PK_Map,IC == CA_IC * PK_IC (PK_IC from EF.CardSecurity); raise AccessError if not."""
        pk_ic = self.domain.decode_public(chip_public_key)
        expected = self.domain.encode(self.domain.multiply(self.ca_ic, pk_ic))
        if not hmac.compare_digest(expected, self.pk_map_ic):
            raise AccessError("PACE-CAM: chip authentication data does not match the chip's key", step="CAM")


def receive_public_key(ctx: MappingContext, dos: dict[int, bytes], tag: int, step: str, own: bytes) -> tuple[bytes, Element]:
    """The chip's public key from DO ``tag``, validated (9303-11 §4.4.3.4); AccessError names ``step``."""
    raw = dos.get(tag)
    if raw is None:
        raise AccessError(f"{step}: response without DO {tag:02X}", step=step)
    try:
        element = ctx.domain.decode_public(raw)
    except AccessError as exc:
        raise AccessError(str(exc), step=step) from None
    if raw == own:  # 9303-11 §4.4.3.4: the chip's key must differ from the terminal's
        raise AccessError("invalid public key: the chip echoed the terminal's key", step=step)
    return raw, element


class GenericMapping:
    """9303-11 §4.4.3.3.1: ECDH or DH with SK_Map,IFD; G~ = s*G + H (g~ = g^s * h)."""

    name = "GM"

    def map(self, ctx: MappingContext, s: bytes) -> Domain:
        sk = ctx.rng.private_key(ctx.domain)
        own = ctx.domain.public_key(sk)
        dos = ctx.exchange(STEP_MAP, 0x81, own, False)
        raw, pk = receive_public_key(ctx, dos, 0x82, STEP_MAP, own)
        ctx.pk_map_ic = raw
        try:
            return ctx.domain.generic_map(int.from_bytes(s, "big"), ctx.domain.multiply(sk, pk))
        except AccessError as exc:
            raise AccessError(str(exc), step=STEP_MAP) from None

    def finish(self, ctx: MappingContext, dos: dict[int, bytes], ks_enc: bytes) -> CamResult | None:
        return None


class IntegratedMapping:
    """9303-11 §4.4.3.3.2: the terminal sends a nonce t; G~ = f_G(R_p(s, t)); every cipher
    (3DES, AES-128/192/256: :mod:`cardkit.icao.prf`)."""

    name = "IM"

    def map(self, ctx: MappingContext, s: bytes) -> Domain:
        if len(s) != chip_nonce_size(ctx.suite):
            raise AccessError(f"{STEP_MAP}: the chip's nonce has the wrong size for {ctx.suite.name}", step=STEP_MAP)
        t = ctx.rng.nonce(terminal_nonce_size(ctx.suite))
        ctx.exchange(STEP_MAP, 0x81, t, True)  # answer: 7C 02 82 00 (or nothing); no content
        try:
            return ctx.domain.integrated_map(pseudo_random(ctx.suite, s, t, ctx.domain.p))
        except AccessError as exc:
            raise AccessError(str(exc), step=STEP_MAP) from None

    def finish(self, ctx: MappingContext, dos: dict[int, bytes], ks_enc: bytes) -> CamResult | None:
        return None


class ChipAuthenticationMapping:
    """9303-11 §4.4.3.5: generic mapping (ECDH) plus encrypted CA_IC in DO 8A at step 4."""

    name = "CAM"

    def __init__(self) -> None:
        self._gm = GenericMapping()

    def map(self, ctx: MappingContext, s: bytes) -> Domain:
        if not isinstance(ctx.domain, EcDomain):
            raise AccessError("PACE-CAM needs elliptic curve domain parameters", step=STEP_MAP)
        return self._gm.map(ctx, s)

    def finish(self, ctx: MappingContext, dos: dict[int, bytes], ks_enc: bytes) -> CamResult | None:
        a_ic = dos.get(0x8A)
        if a_ic is None:
            raise AccessError("PACE-CAM: no chip authentication data (DO 8A)", step=STEP_TOKENS)
        suite = ctx.suite
        iv = suite.encrypt_block(ks_enc, b"\xff" * suite.block_size)  # 9303-11 §4.4.3.5.1
        try:
            ca_ic = int.from_bytes(unpad(suite.decrypt(ks_enc, a_ic, iv)), "big")
        except ValueError:
            raise AccessError("PACE-CAM: chip authentication data does not decrypt", step=STEP_TOKENS) from None
        if not isinstance(ctx.domain, EcDomain):  # map() refused DH already; CAM is ECDH only
            raise AccessError("PACE-CAM needs elliptic curve domain parameters", step=STEP_TOKENS)
        if not 0 < ca_ic < ctx.domain.order:
            raise AccessError("PACE-CAM: CA_IC out of range", step=STEP_TOKENS)
        return CamResult(ctx.domain, ca_ic, ctx.pk_map_ic)


class Mapping(Protocol):
    """What every mapping strategy offers: map the domain (step 2), then check step 4's extras."""

    name: str

    def map(self, ctx: MappingContext, s: bytes) -> Domain: ...

    def finish(self, ctx: MappingContext, dos: dict[int, bytes], ks_enc: bytes) -> CamResult | None: ...


MAPPINGS: dict[str, Callable[[], Mapping]] = {
    "GM": GenericMapping, "IM": IntegratedMapping, "CAM": ChipAuthenticationMapping,
}
