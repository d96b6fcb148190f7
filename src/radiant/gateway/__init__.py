"""The OpenAI-compatible gateway: ``/v1`` endpoints, usage metering and rate limits."""
