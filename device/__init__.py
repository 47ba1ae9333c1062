"""saywell device runtime: everything a classroom device installs.

Depends on numpy, a TFLite interpreter and (for the microphone) sounddevice.
Never imports TensorFlow or librosa: start-up time and memory on a Pi matter.
"""

__version__ = "0.1.0"
