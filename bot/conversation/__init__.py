"""A person talks to the bot: the services every front end (Slack, Teams, CLI) calls.

- :mod:`bot.conversation.ask` — :class:`AskService`: length limit, access, question, answer, metering.
- :mod:`bot.conversation.summarize` — :class:`SummarizeService`: summaries, with the same care.
- :mod:`bot.conversation.access` — who is asking -> ACL groups and allowed sources.
"""
