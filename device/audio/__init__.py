"""Audio input: WAV reading and resampling (`wav`), live and replayed sources (`sources`), voice activity
detection (`vad`). Imports nothing else of saywell but `errors`."""
