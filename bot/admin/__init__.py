"""Admin configuration and permission-aware access (pure logic; no vendor SDKs).

- :mod:`bot.admin.service` — :class:`AdminService`: every admin action, checked and audited.
- :mod:`bot.admin.access` — :func:`resolve_access`: who is asking -> groups + allowed sources.
- :mod:`bot.admin.groups` — :class:`GroupResolver` implementations (JSON mapping, Graph membership).
"""
