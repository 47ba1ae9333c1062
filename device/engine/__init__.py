"""The scoring engine, audio in, result out: log-mel frontend (`features`), the int8 model runner and the
metadata it reads (`model`, `metadata`), the phone set and lexicon (`phones`, `lexicon`), forced alignment
(`align`), per-phone scoring and calibration (`scoring`), feedback text (`feedback`), and the `listener` that
runs them chunk by chunk while a learner speaks. Imports `audio` and `errors` only; the trainer imports it too,
so training and the device share one frontend, one phone set and one scorer."""
