"""Configuration stores (sources, status, channels, admins, feedback, audit): SQLite and DynamoDB."""
