"""The composition root: builds everything from :class:`bot.settings.Settings`.

- :mod:`adapters.wiring.app` — :class:`App` (lazy, typed components) and :class:`AppOverrides`
  (the parts tests or an embedding program supply instead of the built ones).
"""

from adapters.wiring.app import App, AppOverrides

__all__ = ["App", "AppOverrides"]
