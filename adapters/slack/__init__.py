"""Slack adapter: a slack-bolt AsyncApp translating Slack payloads into core calls.

Entry point: :func:`adapters.slack.app_factory.build_slack_app`.
"""
