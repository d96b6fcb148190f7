"""Every top-level ``radiant`` command: the modules that define it, and its line in
``radiant --help``.

The root group (:class:`radiant.cli._base.LazyGroup`) lists the commands from this table
and imports a command's modules only when that command runs or prints its help, so
``radiant --help`` imports no command module, and a command none it does not need. A
group whose commands come from several modules names them in the order its help lists
their commands. ``tests/test_cli_lazy.py`` checks each line against the command's help.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["COMMANDS", "Entry"]


class Entry(NamedTuple):
    #: modules of :mod:`radiant.cli` that register the command's parts on the root app
    modules: tuple[str, ...]
    #: the first paragraph of the command's help
    help: str


#: in the order ``radiant --help`` lists them
COMMANDS: dict[str, Entry] = {
    "price": Entry(
        ("pricing",),
        "The itemised price of a usage (with --admin: its cost, markup and margin too).",
    ),
    "serve": Entry(
        ("registry",),
        "Serve the REST API (OpenAPI docs at /docs) and run the scheduled syncs "
        "(RADIANT_SCHEDULE_*; RADIANT_SCHEDULER=false turns them off).",
    ),
    "stats": Entry(
        ("registry",), "Counts by hosting type, category, provider, health and thermal state."
    ),
    "select": Entry(("selection",), "The models and routes that fit a request, best first."),
    "recommend": Entry(
        ("selection",), "The top models for a task and constraints, with the reasons for each."
    ),
    "db": Entry(("registry",), "Database migrations."),
    "sync": Entry(("registry", "sync"), "Keep the registry current."),
    "models": Entry(("manage", "registry", "selection"), "Browse models."),
    "providers": Entry(("manage", "registry"), "Browse providers."),
    "platforms": Entry(("manage", "registry"), "Browse platforms."),
    "admin": Entry(("admin",), "Administrators, their tokens and invitations."),
    "audit": Entry(("admin",), "The audit log (read-only)."),
    "approvals": Entry(("admin",), "Two-person approval of changes."),
    "billing": Entry(("billing",), "Usage rollups and invoices."),
    "catalog": Entry(
        ("catalog",),
        "Public model catalogs (LiteLLM, models.dev, OpenRouter) next to the registry.",
    ),
    "discovery": Entry(
        ("discovery",), "Review models found upstream (run one with 'radiant sync discovery')."
    ),
    "export": Entry(("export",), "Write the registry in other tools' formats."),
    "health": Entry(("health",), "Health of platforms and routes."),
    "thermal": Entry(("health",), "Thermal states of self-hosted endpoints."),
    "routes": Entry(("manage", "selection"), "Change routes (a model on a platform)."),
    "pricing": Entry(("pricing",), "Prices, markups and estimated costs."),
    "alerts": Entry(("pricing",), "Estimated-cost alerts."),
    "rules": Entry(
        ("rules",),
        "Routing rules: route, fall back, block or rate-limit requests before selection.",
    ),
    "tenants": Entry(("tenants",), "Tenants, their model access and API keys."),
}
