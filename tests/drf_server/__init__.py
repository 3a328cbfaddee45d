"""A small Avala API built with Django, Django REST Framework and django-filter.

The API's answers are DRF's own; this server lets the client and the demo API be held
to them. It lives in tests/ only: the package never imports Django.
"""
