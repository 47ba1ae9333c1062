"""saywell: the runtime a classroom device installs (imported as `saywell`, from the project's `device/` folder).

Four rooms, dependencies one way (each may import only the rooms listed after it):

- `apps`: what people run: the `saywell` CLI, practice, the kiosk, the teacher page.
- `classroom`: word lists, the progress store, the schedule, reports, settings, kept recordings.
- `engine`: audio in, result out: frontend, model runner and its metadata, phones and lexicon, alignment,
  scoring, feedback, and the listener that runs them while a learner speaks.
- `audio`: WAV reading, sources (microphone, file, stdin), voice activity detection.

`errors` is the one module every room shares. Depends on numpy, a TFLite interpreter and (for the microphone)
sounddevice; never TensorFlow or librosa: start-up time and memory on a Pi matter.
"""

import os
from pathlib import Path

# One BLAS thread before numpy loads: the frontend's matrices are small, and OpenBLAS's worker threads spin
# against the model, the kiosk and the teacher page for the same cores. Measured on 150 real clips while
# another job held both cores: 16.2 -> 4.1 ms of scoring per second of audio. A caller may still set more.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"

# The checkout this package runs from: the shipped model (models/) and the demo clips (audio_samples/) live there.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
