"""kbot core: models, ports (Protocols) and the answering/summarizing logic.

Nothing in this package imports a vendor SDK (slack_bolt, botbuilder, boto3, unstructured);
``tests/test_import_fence.py`` keeps it so.
"""
