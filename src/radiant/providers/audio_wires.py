"""Speech wires that are not OpenAI-shaped, behind the OpenAI audio endpoints:

* ``elevenlabs`` text to speech: ``POST {base}/text-to-speech/{voice}`` (``/stream`` for
  streaming) with ``xi-api-key``, ``{"text", "model_id", "voice_settings"}`` and an
  ``output_format`` query; OpenAI's ``input``, ``voice``, ``response_format`` and
  ``speed`` translate.
* ``deepgram`` speech to text: ``POST {base}/listen?model=...`` with the raw audio and
  ``Authorization: Token <key>``; the first channel's best transcript becomes OpenAI's
  ``{"text"}``, the audio's duration its ``usage.seconds``.
"""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import ClassVar, cast

from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error
from radiant.providers.shapes.deepgram import ListenResponse
from radiant.providers.shapes.elevenlabs import TextToSpeechRequest
from radiant.providers.shapes.openai import SpeechParams, Transcription, TranscriptionFields

__all__ = ["DeepgramAdapter", "ElevenLabsAdapter"]

#: OpenAI ``response_format`` -> ElevenLabs ``output_format``
ELEVENLABS_FORMATS = {
    "mp3": ("mp3_44100_128", "audio/mpeg"),
    "pcm": ("pcm_24000", "audio/pcm"),
    "opus": ("opus_48000_128", "audio/opus"),
    "ulaw": ("ulaw_8000", "audio/basic"),
}


class ElevenLabsAdapter(WireAdapter):
    wire: ClassVar[str] = "elevenlabs"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        speech=True, audio_output=True
    )

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.target.headers)
        if self.target.api_key:
            headers["xi-api-key"] = self.target.api_key
        return headers

    def _request(
        self, body: SpeechParams, stream: bool
    ) -> tuple[str, TextToSpeechRequest, dict[str, str]]:
        voice = str(body.get("voice") or "")
        request: TextToSpeechRequest = {
            "text": str(body.get("input", "")),
            "model_id": self.target.model,
        }
        if (speed := body.get("speed")) is not None:
            request["voice_settings"] = {"speed": speed}
        output, _ = ELEVENLABS_FORMATS.get(
            str(body.get("response_format") or "mp3"), ELEVENLABS_FORMATS["mp3"]
        )
        suffix = "/stream" if stream else ""
        return (
            f"{self.target.base_url}/text-to-speech/{voice}{suffix}",
            request,
            {"output_format": output},
        )

    async def speech(self, body: SpeechParams) -> tuple[bytes, str]:
        self.require("speech")
        url, request, params = self._request(body, stream=False)
        response = await self.call.send(
            "POST", url, headers=self.headers, params=params, json_body=request
        )
        return response.content, response.headers.get("content-type", "audio/mpeg")

    async def speech_stream(self, body: SpeechParams) -> AsyncGenerator[bytes, None]:
        self.require("speech")
        url, request, params = self._request(body, stream=True)
        pieces = self.call.stream_bytes(url, request, headers=self.headers, params=params)
        async with aclosing(pieces):
            async for piece in pieces:
                yield piece


class DeepgramAdapter(WireAdapter):
    wire: ClassVar[str] = "deepgram"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(transcription=True)

    async def transcription(
        self, file: bytes, filename: str, fields: TranscriptionFields
    ) -> Transcription:
        self.require("transcription")
        params = {"model": self.target.model, "smart_format": "true"}
        if fields.get("language"):
            params["language"] = str(fields["language"])
        else:
            params["detect_language"] = "true"
        if fields.get("prompt"):
            params["keyterm"] = str(fields["prompt"])
        headers = dict(self.target.headers)
        headers["content-type"] = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if self.target.api_key:
            headers["authorization"] = f"Token {self.target.api_key}"
        payload = await self.call.json(
            "POST", f"{self.target.base_url}/listen", headers=headers, params=params, content=file
        )
        done = cast("ListenResponse", payload)  # checked by reading it, just below
        try:
            channel = done["results"]["channels"][0]
            text = str(channel["alternatives"][0]["transcript"])
        except (KeyError, IndexError, TypeError):
            raise protocol_error(
                self.name, "a transcription without a transcript", str(done)
            ) from None
        result: Transcription = {"text": text}
        language = channel.get("detected_language") or fields.get("language")
        if language:
            result["language"] = str(language)
        duration = (done.get("metadata") or {}).get("duration")
        if duration is not None:
            result["duration"] = float(duration)
            result["usage"] = {"type": "duration", "seconds": float(duration)}
        return result
