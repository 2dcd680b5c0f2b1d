"""Amazon Bedrock implementations of the core's ports (``KBOT_BACKEND=bedrock``).

Everything boto3/botocore lives here; the rest of kbot only sees :mod:`bot.ports` and :mod:`bot.errors`.
"""
