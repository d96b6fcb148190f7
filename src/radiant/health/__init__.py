"""Health of routes and endpoints: probes, passive outcomes, circuit breakers, thermal states.

* :mod:`radiant.health.stats`: latency average, percentiles, rates, status (pure);
* :mod:`radiant.health.breaker`: the circuit breaker of a route (pure transitions);
* :mod:`radiant.health.monitor`: :class:`HealthMonitor`, what the gateway calls;
* :mod:`radiant.health.store`: where that state is shared (database or Redis);
* :mod:`radiant.health.probes`: active checks of every platform (``GET {base}/models``);
* :mod:`radiant.health.thermal`: thermal states of self-hosted endpoints.
"""

from __future__ import annotations

from radiant.health.breaker import BreakerPolicy, BreakerState, CircuitState
from radiant.health.monitor import HealthMonitor, open_health_store
from radiant.health.stats import HealthStats, WindowPolicy
from radiant.health.store import HealthStore, MemoryHealthStore

__all__ = [
    "BreakerPolicy",
    "BreakerState",
    "CircuitState",
    "HealthMonitor",
    "HealthStats",
    "HealthStore",
    "MemoryHealthStore",
    "WindowPolicy",
    "open_health_store",
]
