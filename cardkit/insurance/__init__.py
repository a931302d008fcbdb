# SPDX-License-Identifier: Apache-2.0
"""BHYT (health insurance) status at the desk: one :class:`~cardkit.insurance.source.InsuranceSource`
interface, three implementations: the registry file (:mod:`.registry`), the BHXH gateway client
(:mod:`.gateway`) and the gateway's local stand-in for demos and tests (:mod:`.standin`)."""
