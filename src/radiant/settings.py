"""Settings, read from ``RADIANT_*`` environment variables by a factory (never at import)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_database_url", "get_settings"]


def default_database_url() -> str:
    """An SQLite file in the user data directory (``~/.local/share/radiant`` on Linux)."""
    from platformdirs import user_data_dir

    directory = Path(user_data_dir("radiant", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'radiant.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RADIANT_", extra="ignore")

    #: SQLAlchemy URL; ``postgresql://`` is served by psycopg 3. Default: embedded SQLite.
    database_url: str = Field(default_factory=default_database_url)
    #: PostgreSQL: the role the application's sessions run as (``SET ROLE`` on connect), so
    #: that row-level security applies even to an owner or superuser login. Migration 0002
    #: creates ``radiant_app``. Empty: run as the login role (which must then not bypass
    #: row-level security, e.g. a login role that is a member of ``radiant_app``).
    database_role: str | None = "radiant_app"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: A catalog directory to sync instead of the built-in one.
    catalog_dir: Path | None = None
    #: Seconds between two checks of the registry version (SQLite; PostgreSQL uses NOTIFY too).
    snapshot_check_interval: float = Field(default=0.5, ge=0)
    log_level: str = "info"
    #: Larger request bodies are refused with 413.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    #: Close public reads too: every request then needs a token.
    require_auth_for_reads: bool = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
