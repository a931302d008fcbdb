# SPDX-License-Identifier: Apache-2.0
"""The resident registry (optional extra ``registry``): importing any part of it without the
extra installed is one :class:`~cardkit.extras.MissingExtraError` naming ``cardkit[registry]``."""

from cardkit.extras import Extra, require

require(Extra.REGISTRY)
