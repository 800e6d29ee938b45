"""The instance home: one secret key, whoever starts first."""

from concurrent.futures import ProcessPoolExecutor

from clipdesk.instance import secret_key


def test_processes_starting_together_agree_on_one_key(tmp_path, monkeypatch):
    monkeypatch.delenv("CLIPDESK_SECRET_KEY", raising=False)
    with ProcessPoolExecutor(max_workers=4) as pool:
        keys = set(pool.map(secret_key, [tmp_path] * 16))
    assert len(keys) == 1
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_the_environment_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("CLIPDESK_SECRET_KEY", "from-the-environment")
    assert secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
