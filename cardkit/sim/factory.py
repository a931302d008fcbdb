# SPDX-License-Identifier: Apache-2.0
"""Turn a card image (folder) into a live simulated chip with its protocols and faults."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from cardkit.icao.keys import MrzKey
from cardkit.sim.card import CardConfig, SimCard
from cardkit.sim.faults import apply_faults
from cardkit.sim.image import FID_CARD_ACCESS, CardImage

if TYPE_CHECKING:
    from cardkit.icao.cvc import CvCertificate
    from cardkit.sim.ta_card import TaCardHandler


def mrz_key_of(image: CardImage) -> MrzKey | None:
    """The BAC key as printed in the card's MRZ (TD1: doc no line 1 [5:14], DOB/expiry line 2)."""
    lines = image.meta.get("mrz")
    if not lines or len(lines) < 2:
        return None
    l1, l2 = lines[0], lines[1]
    return MrzKey(l1[5:14].rstrip("<"), l2[0:6], l2[8:14])


def make_card(image: CardImage, faults: list[str] | tuple[str, ...] = (), *, eac: CvCertificate | None = None) -> SimCard:
    """A :class:`SimCard` for ``image`` with BAC, PACE, CA and AA as the image provides; with
    ``eac`` (a CVCA certificate) also Terminal Authentication, opening DG3/DG4 to terminals
    whose chain that CVCA roots (:mod:`cardkit.sim.ta_card`). Without it DG3/DG4 answer 6982."""
    image = copy.deepcopy(image)
    config = CardConfig(mrz_key=mrz_key_of(image), can=image.meta.get("can"))
    runtime, rest = apply_faults(list(faults), config, image.mf_files)
    if rest:
        from cardkit.errors import InputError

        raise InputError(f"fault(s) {', '.join(rest)} change the card's content: use `cardkit sim make --fault`")
    handlers = _handlers(image, config)
    if eac is not None:
        handlers.append(_ta_handler(eac, config))
    return SimCard(image, config, handlers=handlers, faults=runtime)


def _ta_handler(trust_point: CvCertificate, config: CardConfig) -> TaCardHandler:
    from cardkit.icao.ta import id_picc_v1
    from cardkit.sim.ta_card import TaCardConfig, TaCardHandler

    doc = id_picc_v1(config.mrz_key.document_number).decode("ascii") if config.mrz_key is not None else ""
    return TaCardHandler(TaCardConfig(trust_point, document_number=doc))


def _handlers(image: CardImage, config: CardConfig) -> list:
    """PACE when the card has EF.CardAccess (its PACEInfos say which), CA/AA when keyed."""
    from cardkit.icao.domain import standardized
    from cardkit.sim.aa_card import AaCardHandler
    from cardkit.sim.ca_card import CaCardConfig, CaCardHandler
    from cardkit.sim.issuer import ca_private_value
    from cardkit.sim.pace_card import PaceCardConfig, PaceCardHandler

    handlers: list = []
    if FID_CARD_ACCESS in image.mf_files:
        handlers.append(PaceCardHandler(PaceCardConfig()))
    sk_ic = ca_private_value(image)
    if sk_ic is not None:
        domain = standardized(image.meta.get("ca_parameter_id", 13))
        handlers.append(CaCardHandler(CaCardConfig(private_key=sk_ic, domain=domain)))
    aa = AaCardHandler.from_image(image)
    if aa is not None:
        handlers.append(aa)
    return handlers


def make_reader_card(image: CardImage, faults: list[str] | tuple[str, ...] = (), quirks: list[str] | tuple[str, ...] = (),
                     *, eac: CvCertificate | None = None):
    """The card of :func:`make_card` as seen through a simulated reader with ``quirks``
    (:mod:`cardkit.sim.reader`): the chip quirks go into its config, the reader's wrap it."""
    from cardkit.sim.reader import QuirkyReader, apply_reader_quirks

    card = make_card(image, faults, eac=eac)
    reader = apply_reader_quirks(list(quirks), card.config)
    return card if reader is None else QuirkyReader(card, reader)
