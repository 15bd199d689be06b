"""The web dashboard: pages, JSON API and CSV exports over the report store (reads only).

Build the application with :func:`mailwarden.web.app.create_app` and serve it with uvicorn
(``mailwarden serve``). This package imports Starlette only in :mod:`mailwarden.web.app`, so
the command line stays quick to start.
"""
