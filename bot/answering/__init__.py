"""Answering: turning retrieved passages into a cited answer (or an honest "not found")."""
