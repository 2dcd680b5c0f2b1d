"""Thread and email summarization: loaders, extractive ranking, cue detection, map-reduce."""
