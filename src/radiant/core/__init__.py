"""What every service needs and nothing above it: who acts and in which request
(:mod:`radiant.core.context`: the write context, permission checks) and the audit log
that records what they did (:mod:`radiant.core.audit`).

It sits just above the store: pricing, tenants, selection, health, sync and
administration all import it, and it imports none of them.
"""
