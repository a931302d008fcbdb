# SPDX-License-Identifier: Apache-2.0
"""Addresses after the 1 July 2025 reorganisation (63 provinces -> 34, districts abolished):
the printed address kept verbatim, its current form beside it, comparisons by current unit codes."""
