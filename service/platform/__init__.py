"""Shared infrastructure every other group may use: settings (``config``), keys and signatures (``crypto``,
``signing``, ``digests``), blob storage (``blobstore*``), logging, private files, the kinds of domain error
(``errors``) and the checks a server runs at start (``exposure``, ``hsts``, ``version``).

Why a group of its own: these modules know nothing of calls, subjects or HTTP routes, so they sit at the
bottom of the import graph; they never import ``service.calls``, ``service.privacy``, ``service.api`` or
``service.ui`` (``tests/test_import_graph.py`` keeps it so).
"""
