"""What the pricing sync remembers between runs: the documents it last applied."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radiant.store.tables import Base, utcnow
from radiant.store.types import UTCDateTime

__all__ = ["PricingSourceStateRow"]


class PricingSourceStateRow(Base):
    """One set of sources (in order) and the digest of their documents when last applied.

    A run whose documents have the same digest, against the registry version this run left,
    has nothing to do: it stops before parsing anything.
    """

    __tablename__ = "pricing_source_state"
    #: sha256 of the ordered ``kind=location`` list
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sources: Mapped[str] = mapped_column(Text)
    #: sha256 over the documents' own sha256 digests, in order
    digest: Mapped[str] = mapped_column(String(64))
    #: the registry version after the run that applied them
    registry_version: Mapped[int] = mapped_column(BigInteger)
    entries_read: Mapped[int] = mapped_column(Integer, default=0)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
