# SPDX-License-Identifier: Apache-2.0
import sys

from cardkit.cli import main

sys.exit(main())
