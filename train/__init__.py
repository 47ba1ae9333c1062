"""saywell training: synthesize speech, train the acoustic model, export int8 TFLite, evaluate.

Imports `saywell` (the `device/` folder) for the frontend, phone set and scorer so training and runtime never disagree.
"""
