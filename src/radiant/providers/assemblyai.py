"""The AssemblyAI speech-to-text wire behind ``POST /v1/audio/transcriptions`` (the base
is ``https://api.assemblyai.com/v2``, ``Authorization: <key>`` without a scheme):

1. ``POST {base}/upload`` with the raw audio answers an ``upload_url``;
2. ``POST {base}/transcript`` with ``{"audio_url", "speech_model"}`` (the route's model
   string; OpenAI's ``language`` as ``language_code``, else ``language_detection``)
   starts a job;
3. ``GET {base}/transcript/{id}`` is polled until the job is ``completed`` or ``error``:
   first after ``wire_options.poll_interval`` seconds (default
   :data:`POLL_INTERVAL`), each wait :data:`BACKOFF` times the last, at most
   ``poll_max_interval`` (:data:`POLL_MAX_INTERVAL`); after ``poll_deadline`` seconds
   (:data:`POLL_DEADLINE`) it raises a ``timeout`` :class:`~radiant.errors.ProviderError`.

A completed job becomes OpenAI's ``{"text", "language", "duration"}`` with
``usage: {"type": "duration", "seconds"}`` from ``audio_duration`` (billed per
minute/second); an ``error`` job raises :class:`~radiant.errors.ProviderError` with
AssemblyAI's reason.
"""

from __future__ import annotations

import asyncio
import time
from typing import ClassVar, cast

from radiant.errors import ProviderError
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import BODY_LIMIT, protocol_error
from radiant.providers.shapes.assemblyai import Transcript, TranscriptRequest
from radiant.providers.shapes.openai import Transcription, TranscriptionFields

__all__ = ["AssemblyAIAdapter", "BACKOFF", "POLL_DEADLINE", "POLL_INTERVAL", "POLL_MAX_INTERVAL"]

POLL_INTERVAL = 1.0
POLL_MAX_INTERVAL = 10.0
POLL_DEADLINE = 900.0
BACKOFF = 1.5


class AssemblyAIAdapter(WireAdapter):
    wire: ClassVar[str] = "assemblyai"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(transcription=True)
    #: the key alone, no scheme
    key_scheme: ClassVar[str] = ""

    def _option(self, name: str, default: float) -> float:
        value = self.target.options.get(name)
        return float(value) if isinstance(value, int | float) and value > 0 else default

    async def _upload(self, file: bytes) -> str:
        headers = {**self.headers, "content-type": "application/octet-stream"}
        payload = await self.call.json(
            "POST", f"{self.target.base_url}/upload", headers=headers, content=file
        )
        url = payload.get("upload_url")
        if not isinstance(url, str) or not url:
            raise protocol_error(self.name, "an upload without upload_url", str(payload))
        return url

    async def _status(self, transcript_id: str) -> Transcript:
        url = f"{self.target.base_url}/transcript/{self.job_id(transcript_id)}"
        payload = await self.call.json("GET", url, headers=self.headers)
        return self._transcript(payload)

    def _transcript(self, payload: dict[str, object]) -> Transcript:
        if not isinstance(payload.get("id"), str) or not isinstance(payload.get("status"), str):
            raise protocol_error(self.name, "a transcript without id or status", str(payload))
        return cast("Transcript", payload)

    async def _wait(self, job: Transcript) -> Transcript:
        interval = self._option("poll_interval", POLL_INTERVAL)
        ceiling = self._option("poll_max_interval", POLL_MAX_INTERVAL)
        deadline = self._option("poll_deadline", POLL_DEADLINE)
        give_up = time.monotonic() + deadline
        while job["status"] not in ("completed", "error"):
            if time.monotonic() + interval > give_up:
                raise ProviderError(
                    f"{self.name}: transcript {job['id']} not done after {deadline:g} s",
                    provider=self.name,
                    kind="timeout",
                )
            await asyncio.sleep(interval)
            interval = min(interval * BACKOFF, ceiling)
            job = await self._status(job["id"])
        return job

    async def transcription(
        self,
        file: bytes,
        filename: str,  # noqa: ARG002 - AssemblyAI sniffs the format from the audio itself
        fields: TranscriptionFields,
    ) -> Transcription:
        self.require("transcription")
        request: TranscriptRequest = {
            "audio_url": await self._upload(file),
            "speech_model": self.target.model,
        }
        if fields.get("language"):
            request["language_code"] = str(fields["language"])
        else:
            request["language_detection"] = True
        payload = await self.call.json(
            "POST", f"{self.target.base_url}/transcript", headers=self.headers, json_body=request
        )
        job = await self._wait(self._transcript(payload))
        if job["status"] == "error":
            raise ProviderError(
                f"{self.name}: transcript {job['id']} failed: "
                f"{job.get('error') or 'no reason given'}",
                provider=self.name,
                body=str(job)[:BODY_LIMIT],
            )
        result: Transcription = {"text": str(job.get("text") or "")}
        language = job.get("language_code") or fields.get("language")
        if language:
            result["language"] = str(language)
        duration = job.get("audio_duration")
        if isinstance(duration, int | float):
            result["duration"] = float(duration)
            result["usage"] = {"type": "duration", "seconds": float(duration)}
        return result
