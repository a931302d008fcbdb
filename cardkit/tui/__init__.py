# SPDX-License-Identifier: Apache-2.0
"""The desk station's terminal UI (Textual). The only package of cardkit that imports textual.

The app takes its backends (card source, registry opener, trust store, clock) as arguments, so
tests drive it in-process with :meth:`textual.app.App.run_test` and no pcscd.
"""
