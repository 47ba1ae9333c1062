"""The languages this device judges besides English: each one's model pair, copied into `$SAYWELL_HOME/models`
by `saywell languages add` from models/ of a saywell checkout (or a folder given, such as a USB stick).

A device installs only the languages its school asks for: the default install judges English alone and carries
nothing else, and a language never installed cannot be chosen by mistake (its lists, --lang and the kiosk say
how to install it). Only the int8 model and its metadata are copied: the float model is for the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..engine.language import DEFAULT_LANGUAGE, LANGUAGES, Language, language, model_dir, models_dir
from ..errors import SaywellError
from .home import data_home, ensure_dir, write_atomically


def installed_dir() -> Path:
    """Where installed languages' models live on this device."""
    return data_home() / "models"


@dataclass(frozen=True)
class LanguageState:
    language: Language
    installed: Path | None  # the model judging it on this device, if any
    available: Path | None  # the model in the source folder, if any
    size_bytes: int  # of the installed (or else the available) model pair


def _pair_size(model: Path) -> int:
    return sum(p.stat().st_size for p in (model, model.with_suffix(".json")) if p.exists())


def states(source: Path | None = None) -> list[LanguageState]:
    """Every language saywell knows, installed here or not, and whether `source` (default models/) has it."""
    source = source or models_dir()
    rows = []
    for lang in LANGUAGES.values():
        here = model_dir(lang.code, installed_dir()) / lang.model_file
        there = source / lang.model_file
        here_ok, there_ok = here.exists(), there.exists()
        rows.append(LanguageState(lang, here if here_ok else None, there if there_ok else None,
                                  _pair_size(here if here_ok else there)))
    return rows


def check_model(path: Path, code: str) -> None:
    """A model pair fit to judge `code`: its metadata readable and naming that language with all its phones,
    and the model loadable by this device's interpreter. Raises SaywellError naming what is wrong."""
    from ..engine.metadata import ModelMetadata
    from ..engine.model import AcousticModel

    lang = language(code)
    if not path.exists():
        raise SaywellError(f"{path} not found: no {lang.name} model there; give the folder that holds "
                           f"{lang.model_file} and its .json (--from), e.g. models/ of a saywell checkout")
    meta = ModelMetadata.load(path.with_suffix(".json"))
    if meta.language != code:
        raise SaywellError(f"{path} judges {language(meta.language).name}, not {lang.name}; it is misnamed: "
                           f"take {lang.model_file} from models/ of a saywell checkout")
    missing = [p for p in lang.phones if p not in meta.phones]
    if missing:
        raise SaywellError(f"{path} has no output for the {lang.name} phone(s) {' '.join(missing[:6])}; "
                           "it was made for another saywell version: take the model from the same checkout")
    AcousticModel(path)  # the interpreter reads it and its tensors match the metadata


def add(code: str, source: Path | None = None) -> tuple[Path, bool]:
    """Install one language from `source` (default models/); returns the installed model and whether anything was
    copied (not when the same pair is installed already). Checked before anything is written; each file is written
    whole (temp file + rename), the metadata last, so a cut-off copy is never taken for an installed language."""
    lang = language(code)
    if lang.code == DEFAULT_LANGUAGE:
        raise SaywellError("English is always installed (models/saywell-en.tflite); nothing to add")
    source = Path(source or models_dir())
    model = source / lang.model_file
    check_model(model, lang.code)
    pair = {lang.model_file: model.read_bytes(), model.with_suffix(".json").name: model.with_suffix(".json").read_bytes()}
    dest = ensure_dir(installed_dir())
    target = dest / lang.model_file
    meta_target = target.with_suffix(".json")
    if all((dest / n).exists() and (dest / n).read_bytes() == data for n, data in pair.items()):
        return target, False
    meta_target.unlink(missing_ok=True)  # not installed while its model is being replaced
    write_atomically(target, pair[target.name])
    write_atomically(meta_target, pair[meta_target.name])
    return target, True


def remove(code: str) -> Path:
    """Uninstall one language; its word lists, learners and progress stay (they need it installed to be practised)."""
    lang = language(code)
    if lang.code == DEFAULT_LANGUAGE:
        raise SaywellError("English cannot be removed: it is the language saywell always judges")
    target = installed_dir() / lang.model_file
    if not target.exists():
        raise SaywellError(f"{lang.name} is not installed on this device; nothing to remove "
                           "(saywell languages shows what is)")
    target.with_suffix(".json").unlink(missing_ok=True)  # first: a half-removed language is not installed
    target.unlink()
    return target
