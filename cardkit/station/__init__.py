# SPDX-License-Identifier: Apache-2.0
"""The desk station without a UI: identity merge, check-in pipeline, configuration, exports.

Importable without Textual: integrators and the CLI use :class:`~cardkit.station.checkin.CheckInPipeline`
directly; the TUI (:mod:`cardkit.tui`) is one front end on top of it.
"""
