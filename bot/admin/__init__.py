"""Admin configuration (pure logic; no vendor SDKs).

- :mod:`bot.admin.service` — :class:`AdminService`: every admin action, checked and audited.
- :mod:`bot.admin.groups` — :class:`GroupResolver` implementations (JSON mapping, Graph membership).
"""
