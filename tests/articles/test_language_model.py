"""The language model's unpacked copy: the same identifier as py3langid's own load."""

from __future__ import annotations

import numpy as np
import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from clipdesk.articles import language

SAMPLES = [
    "Der Stadtrat hat am Dienstag über den neuen Hafenplan abgestimmt und ihn vertagt.",
    "Le conseil municipal a reporté mardi le vote sur le nouveau plan du port de pêche.",
    "شورای شهر رأی‌گیری درباره طرح تازه بندر را به هفته آینده موکول کرد.",
    "The harbour council postponed its vote on the new mooring plan until next week.",
]


@pytest.fixture(scope="module")
def packaged() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_unpacked_copy_is_made_once_and_gives_the_packaged_identifier(
    tmp_path, monkeypatch, packaged
):
    monkeypatch.setenv("CLIPDESK_CACHE_DIR", str(tmp_path))
    first = language._from_unpacked_model(MODEL_DIR / MODEL_FILE)
    copies = list(tmp_path.iterdir())
    assert len(copies) == 1 and copies[0].suffix == ".npz"
    made = copies[0].stat().st_mtime_ns
    second = language._from_unpacked_model(MODEL_DIR / MODEL_FILE)
    assert copies[0].stat().st_mtime_ns == made  # read, not made again
    for identifier in (first, second):
        assert np.array_equal(identifier.nb_ptc, packaged.nb_ptc)
        assert np.array_equal(identifier.nb_pc, packaged.nb_pc)
        assert identifier.nb_classes == packaged.nb_classes
        assert identifier.tk_nextmove == packaged.tk_nextmove
        assert identifier.tk_row == packaged.tk_row
        assert identifier.tk_output == packaged.tk_output
        assert [identifier.classify(t) for t in SAMPLES] == [packaged.classify(t) for t in SAMPLES]


def test_a_broken_copy_or_an_unwritable_cache_falls_back_to_the_packaged_model(
    tmp_path, monkeypatch, packaged
):
    monkeypatch.setenv("CLIPDESK_CACHE_DIR", str(tmp_path))
    language._from_unpacked_model(MODEL_DIR / MODEL_FILE)
    (copy,) = tmp_path.iterdir()
    copy.write_bytes(b"not an npz archive")
    identifier = language._load_identifier.__wrapped__()
    assert [identifier.classify(t) for t in SAMPLES] == [packaged.classify(t) for t in SAMPLES]
    assert not copy.exists()  # the damaged copy is gone, so the next process remakes it
    language._from_unpacked_model(MODEL_DIR / MODEL_FILE)
    assert copy.stat().st_size > 1_000_000

    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("CLIPDESK_CACHE_DIR", str(blocked))
    identifier = language._load_identifier.__wrapped__()
    assert identifier.classify(SAMPLES[0])[0] == "de"
    assert not any(p.suffix == ".part" for p in tmp_path.iterdir())


def test_one_copy_serves_every_install_of_the_version(tmp_path, monkeypatch):
    """Keyed by the packed file's time as well, each install unpacked 68 MB more."""
    import importlib.metadata
    import os
    import shutil

    monkeypatch.setenv("CLIPDESK_CACHE_DIR", str(tmp_path / "cache"))
    installs = []
    for n in range(2):  # the same packed model, installed at two times
        packed = tmp_path / f"install-{n}" / "model.plzma"
        packed.parent.mkdir()
        shutil.copyfile(MODEL_DIR / MODEL_FILE, packed)
        os.utime(packed, ns=(n * 10**18, n * 10**18))
        installs.append(packed)
    version = importlib.metadata.version("py3langid")
    stale = tmp_path / "cache" / f"py3langid-{version}-{installs[0].stat().st_size}-123.npz"
    stale.parent.mkdir()
    stale.write_bytes(b"a copy named by the older scheme")
    for packed in installs:
        language._from_unpacked_model(packed)
    copies = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(copies) == 1 and not stale.exists()
