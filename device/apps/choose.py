"""Which language a command judges and with which model: --lang, --model's metadata and a word list's language
must agree (score, score-batch, practice, kiosk). One clear line when they do not, before anything is scored."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import SaywellError


def lang_arg(text: str) -> str:
    """--lang: a language saywell knows, by its code (engine/language.py's LANGUAGES: en, es, fr, it, de)."""
    from ..engine.language import language

    try:
        return language(text).code
    except SaywellError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def lang_metavar() -> str:
    """'en|es|fr|it|de': every language saywell knows, so a new one appears in --help without editing it."""
    from ..engine.language import LANGUAGES

    return "|".join(LANGUAGES)


def lang_choices() -> str:
    """'en (English, the default), es (Spanish), fr (French)' for --help."""
    from ..engine.language import DEFAULT_LANGUAGE, LANGUAGES

    return ", ".join(f"{code} ({lang.name}{', the default' if code == DEFAULT_LANGUAGE else ''})"
                     for code, lang in LANGUAGES.items())


def other_languages() -> str:
    """'Spanish and French': the languages --accent does not apply to."""
    from ..engine.language import DEFAULT_LANGUAGE, LANGUAGES

    names = [lang.name for code, lang in LANGUAGES.items() if code != DEFAULT_LANGUAGE]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def load_model(args, list_lang: str | None = None, list_name: str | None = None):
    """The acoustic model that judges: --model (its metadata says its language: it rules), else the shipped model
    of --lang or the list's language (English: $SAYWELL_MODEL or models/saywell-en.tflite). A language the model
    does not judge is one clear error, as is --accent with a language other than English."""
    from ..classroom.language_packs import installed_dir
    from ..engine.language import DEFAULT_LANGUAGE, language, model_path
    from ..engine.model import AcousticModel, model_path_from_env

    wanted = getattr(args, "lang", None)
    if wanted and list_lang and wanted != list_lang:
        raise SaywellError(f"the word list {list_name} is {language(list_lang).name} but --lang {wanted} was given; "
                           f"drop --lang (the list's language is used) or choose {_a(language(wanted).name)} list")
    wanted = wanted or list_lang
    if args.model is not None:
        path = args.model
    elif wanted and wanted != DEFAULT_LANGUAGE:
        path = model_path(wanted, installed_dir())
    else:
        path = model_path_from_env()
    model = AcousticModel(path, delegate=args.delegate, num_threads=args.threads)
    judged = language(model.meta.language)
    if wanted and judged.code != wanted:
        asked = language(wanted)
        why = f"--lang {wanted}" if getattr(args, "lang", None) else f"the word list {list_name} is {asked.name}"
        raise SaywellError(f"{why} but the model {path} judges {judged.name}; pass {_a(asked.name)} model "
                           f"(--model {language_model_hint(asked.code)}) or drop --model to use the shipped one")
    if judged.code != DEFAULT_LANGUAGE and args.accent:
        raise SaywellError(f"--accent applies to English only, but this is {judged.name}, judged alike whatever "
                           f"region its speaker is from; drop --accent")
    missing = [p for p in judged.phones if p not in model.meta.phones]
    if missing:  # a mislabelled model would fail at its first word, with a traceback
        raise SaywellError(f"the model {path} says it judges {judged.name} but has no output for its phone(s) "
                           f"{' '.join(missing[:6])}{' ...' * (len(missing) > 6)}; pass {_a(judged.name)} model "
                           "trained on its phones")
    return model


def model_lang(args) -> str | None:
    """The language of the --model given (its metadata's), for a list file without a lang column and the built-in
    list; None without --model, or when the model cannot be read (loading it says why)."""
    if args.model is None:
        return None
    from ..engine.language import language
    from ..engine.metadata import ModelMetadata
    from ..engine.model import metadata_path

    try:
        return language(ModelMetadata.load(metadata_path(Path(args.model))).language).code
    except SaywellError:
        return None


def language_name(code: str) -> str:
    """'es' -> 'Spanish'."""
    from ..engine.language import language

    return language(code).name


def _a(name: str) -> str:
    return f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"


def language_model_hint(code: str) -> str:
    from ..classroom.language_packs import installed_dir
    from ..engine.language import language, model_dir

    return str(model_dir(code, installed_dir()) / language(code).model_file)


def scoring_accent(model, *levels: str | None) -> str:
    """The accent a scorer judges against: the first set of `levels` for English; any for another language, where
    accent settings (the learner's, the list's, the device's) do not apply."""
    from ..engine.accent import DEFAULT_ACCENT, chosen_accent
    from ..engine.language import DEFAULT_LANGUAGE, language

    if language(model.meta.language).code != DEFAULT_LANGUAGE:
        return DEFAULT_ACCENT
    return chosen_accent(*levels)
