"""The classroom: the teacher's word lists (`wordlists`, bundled `data/beginner.csv`), learners' progress in
SQLite (`progress`), the adaptive word order (`schedule`), reports and charts (`report`), the device's teacher
settings (`settings`) and kept recordings (`audio_keep`), all under `$SAYWELL_HOME` (`home`). Imports `engine`
and `audio`, never `apps`."""
