"""Deliver sync events to webhooks: signed JSON, retried with exponential backoff.

Each event is POSTed to every URL of ``RADIANT_WEBHOOK_URLS`` as ``application/json``
with these headers:

* ``X-Radiant-Event``: ``RegistrySyncCompleted``
* ``X-Radiant-Delivery``: the event's id (the same on every retry: drop duplicates)
* ``X-Radiant-Timestamp``: Unix seconds when this attempt was signed
* ``X-Radiant-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with
  ``RADIANT_WEBHOOK_SECRET``, of ``<timestamp>.<raw body>`` (sent only with a secret)

A receiver recomputes the HMAC over the timestamp header, a dot and the raw body bytes,
compares in constant time (:func:`verify` does all of it) and refuses timestamps too
old to stop replays. A 2xx answer is a delivery; 408, 429, 5xx, timeouts and connection
errors are tried again (``webhook_attempts`` in all, waiting ``webhook_backoff_seconds``
then twice as long each time, at most five minutes); other answers are final. Failures
are logged with the URL's scheme, host and path only, never the secret.

Every URL has a queue and a daemon thread of its own, so a slow or dead receiver never
delays a sync or another receiver. :meth:`WebhookDispatcher.drain` waits for the queues
(the CLI calls it before it exits).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from radiant.sync.events import RegistrySyncCompleted

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookDispatcher",
    "dispatcher_for",
    "redact",
    "sign",
    "verify",
]

logger = logging.getLogger(__name__)

EVENT_HEADER = "X-Radiant-Event"
DELIVERY_HEADER = "X-Radiant-Delivery"
TIMESTAMP_HEADER = "X-Radiant-Timestamp"
SIGNATURE_HEADER = "X-Radiant-Signature"
_RETRY_STATUSES = {408, 429}
_MAX_WAIT = 300.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Radiant-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """True when ``signature`` signs ``body`` at ``timestamp`` and that is recent enough."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def redact(url: str) -> str:
    """A URL as logs may show it: no user, password or query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class _Retry(Exception):
    """An attempt that may succeed later (timeout, connection error, 408, 429, 5xx)."""


@dataclass(frozen=True)
class _Delivery:
    delivery_id: str
    body: bytes


class _Receiver:
    """One URL: its queue and the thread that empties it."""

    def __init__(self, url: str, dispatcher: WebhookDispatcher) -> None:
        self.url = url
        self.dispatcher = dispatcher
        self.queue: queue.Queue[_Delivery] = queue.Queue(maxsize=1000)
        self.thread = threading.Thread(
            target=self._loop, name=f"radiant-webhook-{redact(url)}", daemon=True
        )
        self.thread.start()

    def _loop(self) -> None:
        with httpx2.Client(timeout=self.dispatcher.timeout) as client:
            while True:
                delivery = self.queue.get()
                try:
                    self._deliver(client, delivery)
                except Exception:  # never let the thread die
                    logger.exception("webhook delivery to %s failed", redact(self.url))
                finally:
                    self.queue.task_done()

    def _deliver(self, client: httpx2.Client, delivery: _Delivery) -> None:
        d = self.dispatcher
        retrying = Retrying(
            stop=stop_after_attempt(d.attempts),
            wait=wait_exponential(multiplier=d.backoff, max=_MAX_WAIT),
            retry=retry_if_exception_type(_Retry),
        )
        try:
            retrying(self._attempt, client, delivery)
        except RetryError as exc:
            logger.warning(
                "webhook delivery %s to %s failed after %d attempts: %s",
                delivery.delivery_id,
                redact(self.url),
                d.attempts,
                exc.last_attempt.exception(),
            )

    def _attempt(self, client: httpx2.Client, delivery: _Delivery) -> None:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "radiant-webhooks",
            EVENT_HEADER: RegistrySyncCompleted.name,
            DELIVERY_HEADER: delivery.delivery_id,
            TIMESTAMP_HEADER: timestamp,
        }
        if self.dispatcher.secret:
            headers[SIGNATURE_HEADER] = sign(self.dispatcher.secret, timestamp, delivery.body)
        try:
            response = client.post(self.url, content=delivery.body, headers=headers)
        except httpx2.HTTPError as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}") from None
        status = response.status_code
        if status in _RETRY_STATUSES or status >= 500:
            raise _Retry(f"HTTP {status}")
        if status >= 300:
            logger.warning(
                "webhook %s refused delivery %s: HTTP %d (not retried)",
                redact(self.url),
                delivery.delivery_id,
                status,
            )


class WebhookDispatcher:
    """Sends events to a fixed list of URLs; see the module docstring."""

    def __init__(
        self,
        urls: Sequence[str],
        secret: str | None = None,
        *,
        timeout: float = 5.0,
        attempts: int = 5,
        backoff: float = 1.0,
    ) -> None:
        self.secret = secret
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self._receivers = [_Receiver(url, self) for url in urls]

    def submit(self, event: RegistrySyncCompleted) -> None:
        """Queue ``event`` for every URL and return at once."""
        body = json.dumps(event.as_dict(), separators=(",", ":")).encode()
        for receiver in self._receivers:
            try:
                receiver.queue.put_nowait(_Delivery(event.event_id, body))
            except queue.Full:
                logger.warning(
                    "webhook %s is %d deliveries behind: event %s dropped",
                    redact(receiver.url),
                    receiver.queue.qsize(),
                    event.event_id,
                )

    def drain(self, timeout: float) -> bool:
        """Wait until every queued delivery is done or ``timeout`` passes; True when done."""
        deadline = time.monotonic() + timeout
        for receiver in self._receivers:
            while receiver.queue.unfinished_tasks:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
        return True


_dispatchers: dict[tuple[object, ...], WebhookDispatcher] = {}
_lock = threading.Lock()


def dispatcher_for(
    urls: Sequence[str], secret: str | None, *, timeout: float, attempts: int, backoff: float
) -> WebhookDispatcher:
    """One dispatcher (and one thread per URL) per configuration, for the process."""
    key = (tuple(urls), secret, timeout, attempts, backoff)
    with _lock:
        dispatcher = _dispatchers.get(key)
        if dispatcher is None:
            if not secret:
                logger.warning(
                    "RADIANT_WEBHOOK_URLS is set without RADIANT_WEBHOOK_SECRET: "
                    "webhook deliveries are not signed"
                )
            dispatcher = WebhookDispatcher(
                urls, secret, timeout=timeout, attempts=attempts, backoff=backoff
            )
            _dispatchers[key] = dispatcher
        return dispatcher
