"""Slack adapter: a slack-bolt AsyncApp translating Slack payloads into core calls.

Entry point: :func:`adapters.wiring.slack.build_slack_app`.
"""
