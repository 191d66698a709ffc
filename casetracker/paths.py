"""Where casetracker keeps things, following the XDG base directories (``casetracker locate``)."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP = "casetracker"
ENV_DB = "CASETRACKER_DB"
ENV_ORGANISATION = "CASETRACKER_ORGANISATION"


def data_dir() -> Path:
    return user_data_path(APP, appauthor=False)


def config_dir() -> Path:
    return user_config_path(APP, appauthor=False)


def config_file() -> Path:
    return config_dir() / "config.toml"


def shipped_organisation_file() -> Path:
    """The organisation file that ships with casetracker (docs/organisation.md)."""
    return Path(str(files("casetracker.domain") / "data" / "organisation.toml"))


def organisation_file() -> Path:
    """The organisation file in use: ``$CASETRACKER_ORGANISATION``, else ``organisation.toml``
    in the configuration directory when there is one, else the shipped file."""
    chosen = os.environ.get(ENV_ORGANISATION)
    if chosen:
        return Path(chosen).expanduser()
    own = config_dir() / "organisation.toml"
    return own if own.exists() else shipped_organisation_file()


def signing_key_file() -> Path:
    """The Ed25519 private key that signs tree heads and bundles (``casetracker keys
    generate``); its public key is beside it with ``.pub`` added."""
    return config_dir() / "signing-key.pem"


def public_key_file(private: Path | None = None) -> Path:
    """The public key beside a private key file (the default one when none is named)."""
    private = private or signing_key_file()
    return private.with_name(private.name + ".pub")


def default_db_path() -> Path:
    return data_dir() / "casetracker.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def training_db_path() -> Path:
    return data_dir() / "training.db"


def database_url(db: str | None = None) -> str:
    """The database to use: ``--db``, else ``$CASETRACKER_DB``, else the default SQLite file.

    A value without ``://`` is taken as a path to a SQLite file, so ``--db cases.db`` works.
    ``--db ''`` (a script's ``--db "$DB"`` with nothing in it) is refused, not taken for the
    default database, which may be the live one.
    """
    if db is not None and not db.strip():
        from casetracker.domain.errors import UsageError

        raise UsageError("--db is empty: name a database, or leave --db out for the default")
    chosen = db or os.environ.get(ENV_DB) or str(default_db_path())
    if "://" in chosen:
        return chosen
    return f"sqlite:///{Path(chosen).expanduser().resolve()}"
