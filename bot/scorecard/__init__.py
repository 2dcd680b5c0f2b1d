"""Model scorecard (``kbot eval scorecard``): quality, latency and cost of candidate models, side by side."""
