"""saywell training: synthesize speech, train the acoustic model, export int8 TFLite, evaluate.

Imports `device` for the frontend, phone set and scorer so training and runtime never disagree.
"""
