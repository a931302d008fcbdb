# SPDX-License-Identifier: Apache-2.0
"""cardkit: read, verify and cross-check Vietnam's chip ID card (CCCD / Căn cước)."""

__version__ = "0.1.0"
