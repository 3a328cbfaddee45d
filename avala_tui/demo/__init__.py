"""The demo Avala API: a stand-in for the real service, sharing no code with avala_tui.api.

``server.DemoServer`` serves ``app.DemoApi`` (a plain ASGI app) with uvicorn on loopback for
``avala-tui --demo``, ``avala-tui demo-server`` (``server.serve``), the tests and the
benchmarks. ``data`` grows its deterministic world, ``pagination`` cuts DRF cursor pages and
``faults`` decides which answers go wrong.
"""
