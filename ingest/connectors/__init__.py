"""One module per source kind: settings model, typed checkpoint, location, connector, ``KIND``.

Why the connectors stay in the core rather than in ``adapters/connectors/``: what they hold is logic
worth testing without a network (paging and resumable passes, delta and reconciliation, ACL mapping,
Confluence storage format to text), and they need only two narrow abilities from the outside
world, fetching over HTTP and calling Microsoft Graph. Those are ports (:mod:`ingest.http`,
:mod:`ingest.graph`); the implementations with aiohttp and msal (:mod:`adapters.http`,
:mod:`adapters.msgraph`) are injected through :class:`ingest.kinds.ConnectorContext` where
connectors are built (``adapters/ingest_runtime.py``). So the kind table (:mod:`ingest.registry`)
and the settings validation stay importable by the core, and no vendor SDK enters ``ingest/``.
"""
