"""Verified answers: an expert's reply kept as the answer the bot shows first next time."""
