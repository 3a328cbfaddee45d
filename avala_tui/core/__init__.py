"""The dashboard's model, free of any UI: rows, paging, views, the live monitor, texts.

Everything here is plain Python over :mod:`avala_tui.api` and is unit-tested
without Textual; the widgets in :mod:`avala_tui.ui` only draw what it decides.
"""
