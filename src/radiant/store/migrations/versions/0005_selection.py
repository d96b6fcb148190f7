"""routing rules for selection; the unified_model_registry view and select_model() on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:00:00

* ``routing_rules`` (created by 0001) gains what the administration API
  needs: ``row_version`` (its ETag), ``created_by``/``updated_by``, the rate-limit values
  of ``rate_limit`` rules, a foreign key to ``tenants`` (a tenant's rules go with it), and
  CHECKs that keep an action and its targets consistent even for writes made in SQL.
* On PostgreSQL only: the ``unified_model_registry`` view and ``select_model()``
  function over Radiant's tables, for users who query it in SQL (written out below, not
  imported: a migration must not change when the code does). ``select_model()`` ranks
  exactly as the in-memory selection (:mod:`radiant.selection.ranking`);
  ``tests/test_selection_sql_compat.py`` checks that on random criteria. SQLite has
  neither arrays nor PL/pgSQL: there the in-memory selection is the only way.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_CHECKS = {
    "priority": "priority >= 0",
    "route_target": "action <> 'route' OR target_model IS NOT NULL OR target_provider IS NOT NULL",
    "block_target": "action <> 'block' OR (target_model IS NULL AND target_provider IS NULL)",
    "rate_limit_values": (
        "action <> 'rate_limit' OR rate_limit_rpm IS NOT NULL OR rate_limit_tpm IS NOT NULL"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_limit_rpm", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rate_limit_tpm", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("row_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("created_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_routing_rules_tenant_id_tenants"),
            "tenants",
            ["tenant_id"],
            ["id"],
            ondelete="CASCADE",
        )
        for name, condition in _CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f"ck_routing_rules_{name}"), condition)
    if op.get_bind().dialect.name == "postgresql":
        _create_seed_sql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _drop_seed_sql()
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        for name in reversed(list(_CHECKS)):
            batch_op.drop_constraint(batch_op.f(f"ck_routing_rules_{name}"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_routing_rules_tenant_id_tenants"), type_="foreignkey"
        )
        batch_op.drop_column("updated_by")
        batch_op.drop_column("created_by")
        batch_op.drop_column("row_version")
        batch_op.drop_column("rate_limit_tpm")
        batch_op.drop_column("rate_limit_rpm")


# ---------------------------------------------------- PostgreSQL: the view and the function
#
# unified_model_registry: one row per enabled model (of an enabled provider) per hosting
# type it is served by: ``external`` for routes on direct, aggregator, cloud and host
# platforms, ``self_hosted`` for routes on self_hosted and local platforms (a model with
# no route at all: one external row). Each row carries the view's own columns, plus the best
# active route of that hosting type (priority, then the lowest non-zero input price, then
# route id: the snapshot's route order) with its current price sheet, the markup in force
# (model override, provider override, else 40 % external / the deployment's or 75 %
# self-hosted), the model's lifecycle status and quality score. External health is the
# provider's ``provider_health`` row for us-east-1 (another region's when it has none);
# self-hosted health is ``healthy`` when the endpoint is WARM or HOT, else ``unknown``.

_VIEW = """
CREATE OR REPLACE VIEW unified_model_registry AS
WITH route_rows AS (
    SELECT r.id AS route_id, r.model_id, r.platform_id, r.priority, r.status, r.model_string,
           CASE WHEN pl.kind IN ('self_hosted', 'local') THEN 'self_hosted'
                ELSE 'external' END AS hosting_type,
           sheet.pricing_type, sheet.input_per_1m, sheet.output_per_1m, sheet.per_request,
           sheet.per_second, sheet.per_image, sheet.per_minute, sheet.per_hour,
           sheet.per_3d_model, sheet.is_estimated
    FROM routes r
    JOIN platforms pl ON pl.id = r.platform_id
    LEFT JOIN LATERAL (
        SELECT h.* FROM price_history h
        WHERE h.route_id = r.id AND h.effective_to IS NULL
        ORDER BY h.effective_from DESC, h.id DESC LIMIT 1
    ) sheet ON TRUE
),
slots AS (
    SELECT DISTINCT model_id, hosting_type FROM route_rows
    UNION ALL
    SELECT m.id, 'external' FROM models m
    WHERE NOT EXISTS (SELECT 1 FROM route_rows rr WHERE rr.model_id = m.id)
),
best AS (
    SELECT DISTINCT ON (model_id, hosting_type) *
    FROM route_rows WHERE status = 'active'
    ORDER BY model_id, hosting_type, priority, NULLIF(input_per_1m, 0) NULLS LAST, route_id
),
health AS (
    SELECT DISTINCT ON (provider_id) *
    FROM provider_health
    ORDER BY provider_id, (region = 'us-east-1') DESC, id
)
SELECT
    m.id::TEXT AS id,
    CASE WHEN s.hosting_type = 'self_hosted' THEN 'self_hosted'
         ELSE m.provider_id END::VARCHAR AS provider_id,
    CASE WHEN s.hosting_type = 'self_hosted' THEN 'RADIANT Self-Hosted'
         ELSE p.display_name END::VARCHAR AS provider_name,
    m.id::VARCHAR AS model_id,
    CASE WHEN s.hosting_type = 'self_hosted' THEN 'sagemaker/' || m.id
         ELSE COALESCE(b.model_string, m.id) END::VARCHAR AS litellm_id,
    m.name::VARCHAR AS name,
    m.display_name::VARCHAR AS display_name,
    m.description,
    s.hosting_type::VARCHAR AS hosting_type,
    m.category::VARCHAR AS category,
    ARRAY(SELECT json_array_elements_text(m.capabilities)) AS capabilities,
    ARRAY(SELECT json_array_elements_text(m.input_modalities)) AS input_modalities,
    ARRAY(SELECT json_array_elements_text(m.output_modalities)) AS output_modalities,
    COALESCE(m.task, CASE
        WHEN (m.capabilities::jsonb) ? 'chat' THEN 'chat'
        WHEN (m.capabilities::jsonb) ? 'completion' THEN 'completion'
        WHEN (m.capabilities::jsonb) ?| ARRAY['embedding', 'embeddings']
             OR m.category IN ('embedding', 'embeddings') THEN 'embedding'
        WHEN m.category = 'image_generation' THEN 'image'
        WHEN m.category = 'video_generation' THEN 'video'
        WHEN m.category IN ('audio_generation', 'text_to_speech') THEN 'audio'
        WHEN m.category = 'speech_to_text' THEN 'transcription'
        WHEN m.category = 'search' THEN 'search'
        WHEN m.category = '3d_generation' THEN '3d'
        ELSE 'other'
    END)::VARCHAR AS primary_mode,
    m.context_window,
    m.max_output,
    b.pricing_type::VARCHAR AS pricing_type,
    b.input_per_1m / 1000 AS input_cost_per_1k,
    b.output_per_1m / 1000 AS output_cost_per_1k,
    b.per_request AS cost_per_request,
    b.per_second AS cost_per_second,
    b.per_image AS cost_per_image,
    b.per_minute AS cost_per_minute,
    mk.percent / 100 AS markup_rate,
    sh.instance_type::VARCHAR AS instance_type,
    sh.gpu_memory_gb,
    CASE WHEN s.hosting_type = 'self_hosted' THEN ts.current_state END::VARCHAR AS thermal_state,
    CASE WHEN s.hosting_type = 'self_hosted' THEN ts.is_transitioning END AS is_transitioning,
    CASE WHEN s.hosting_type = 'self_hosted' THEN sh.warmup_time_seconds END
        AS warmup_time_seconds,
    m.enabled,
    (m.deprecated OR m.status = 'deprecated') AS deprecated,
    CASE WHEN s.hosting_type = 'self_hosted' THEN
             CASE WHEN ts.current_state IN ('WARM', 'HOT') THEN 'healthy' ELSE 'unknown' END
         ELSE ph.status END::VARCHAR AS health_status,
    CASE WHEN s.hosting_type = 'external' THEN ph.avg_latency_ms END AS avg_latency_ms,
    CASE WHEN s.hosting_type = 'external' THEN ph.error_rate END AS error_rate,
    ARRAY(SELECT json_array_elements_text(COALESCE(
        CASE WHEN s.hosting_type = 'self_hosted' THEN shp.compliance ELSE p.compliance END,
        '[]'::json))) AS compliance,
    m.license::VARCHAR AS license,
    CASE WHEN s.hosting_type = 'self_hosted' THEN m.commercial_use_allowed ELSE TRUE END
        AS commercial_use_allowed,
    CASE WHEN s.hosting_type = 'self_hosted' THEN m.min_tier ELSE 1 END AS min_tier,
    m.created_at,
    m.updated_at,
    -- Radiant's additions
    b.route_id::VARCHAR AS route_id,
    b.platform_id::VARCHAR AS platform_id,
    b.input_per_1m AS input_cost_per_1m,
    b.output_per_1m AS output_cost_per_1m,
    b.per_3d_model AS cost_per_3d_model,
    b.per_hour AS cost_per_hour,
    b.is_estimated AS is_estimated_price,
    mk.percent AS markup_percent,
    m.status::VARCHAR AS model_status,
    m.quality_score
FROM slots s
JOIN models m ON m.id = s.model_id
JOIN providers p ON p.id = m.provider_id
LEFT JOIN providers shp ON shp.id = 'self_hosted'
LEFT JOIN best b ON b.model_id = s.model_id AND b.hosting_type = s.hosting_type
LEFT JOIN health ph ON ph.provider_id = m.provider_id
LEFT JOIN thermal_states ts ON ts.model_id = m.id
LEFT JOIN self_hosted_models sh ON sh.model_id = m.id
LEFT JOIN LATERAL (
    SELECT COALESCE(
        (SELECT o.percent FROM markup_overrides o
         WHERE o.scope = 'model' AND o.target_id = m.id
           AND (o.expires_at IS NULL OR o.expires_at > now())),
        (SELECT o.percent FROM markup_overrides o
         WHERE o.scope = 'provider' AND o.target_id = m.provider_id
           AND (o.expires_at IS NULL OR o.expires_at > now())),
        CASE WHEN s.hosting_type = 'external' THEN 40
             WHEN sh.route_id = b.route_id AND sh.instance_type <> ''
                 THEN COALESCE(sh.markup_percent, 75)
             ELSE 75 END
    )::NUMERIC AS percent
) mk ON TRUE
WHERE m.enabled AND p.enabled
  AND (s.hosting_type = 'external' OR COALESCE(sh.enabled, TRUE))
"""

# select_model(): the parameters and result columns of the function Radiant was first
# specified with, in that order, then Radiant's (trailing, with defaults, so calls written
# for that signature work unchanged). Its filters, plus: a row needs an active route,
# deprecated models only when p_allow_deprecated, an inactive model never; comparisons
# of modalities, capabilities and compliance ignore case; a NULL tier means "no tier
# filter". ORDER BY is thermal state, latency and health, then the in-memory selection's:
# the estimated PRICE of one request (p_estimated_input_tokens and
# p_estimated_output_tokens priced on the row's route with its markup; missing last),
# quality descending, model id, hosting type.

_FUNCTION = """
CREATE OR REPLACE FUNCTION select_model(
    p_task VARCHAR(20),
    p_input_modalities TEXT[],
    p_output_modalities TEXT[],
    p_tenant_tier INTEGER,
    p_prefer_hosting VARCHAR(20) DEFAULT 'any',
    p_required_capabilities TEXT[] DEFAULT '{}'::TEXT[],
    p_min_context_window INTEGER DEFAULT NULL,
    p_require_hipaa BOOLEAN DEFAULT FALSE,
    p_estimated_input_tokens INTEGER DEFAULT 1000,
    p_estimated_output_tokens INTEGER DEFAULT 500,
    p_allow_deprecated BOOLEAN DEFAULT FALSE,
    p_limit INTEGER DEFAULT 10
)
RETURNS TABLE (
    model_id VARCHAR,
    display_name VARCHAR,
    hosting_type VARCHAR,
    provider_name VARCHAR,
    primary_mode VARCHAR,
    thermal_state VARCHAR,
    warmup_required BOOLEAN,
    warmup_time_seconds INTEGER,
    health_status VARCHAR,
    route_id VARCHAR,
    platform_id VARCHAR,
    avg_latency_ms INTEGER,
    estimated_price_per_request NUMERIC,
    is_estimated_price BOOLEAN
) AS $$
BEGIN
    RETURN QUERY
    WITH wanted AS (
        SELECT
            ARRAY(SELECT lower(x) FROM unnest(COALESCE(p_input_modalities, '{}')) x) AS inputs,
            ARRAY(SELECT lower(x) FROM unnest(COALESCE(p_output_modalities, '{}')) x) AS outputs,
            ARRAY(SELECT lower(x) FROM unnest(COALESCE(p_required_capabilities, '{}')) x)
                AS capabilities
    ),
    candidates AS (
        SELECT u.*,
            CASE
                WHEN u.pricing_type IS NULL THEN NULL
                WHEN u.pricing_type = 'per_token' THEN
                    (p_estimated_input_tokens * COALESCE(u.input_cost_per_1m, 0)
                     + p_estimated_output_tokens * COALESCE(u.output_cost_per_1m, 0)
                     + COALESCE(u.cost_per_request, 0) * 1000000) * (100 + u.markup_percent)
                WHEN u.cost_per_request IS NULL AND u.cost_per_image IS NULL
                     AND u.cost_per_3d_model IS NULL THEN NULL
                ELSE (COALESCE(u.cost_per_request, 0) + COALESCE(u.cost_per_image, 0)
                      + COALESCE(u.cost_per_3d_model, 0)) * 1000000 * (100 + u.markup_percent)
            END AS price_key
        FROM unified_model_registry u, wanted w
        WHERE
            -- Task/mode match
            u.primary_mode = p_task
            -- Modality match (case-insensitive)
            AND w.inputs <@ ARRAY(SELECT lower(x) FROM unnest(u.input_modalities) x)
            AND w.outputs <@ ARRAY(SELECT lower(x) FROM unnest(u.output_modalities) x)
            -- Tier eligibility (NULL: any tier)
            AND (p_tenant_tier IS NULL OR u.min_tier <= p_tenant_tier)
            -- Not unhealthy
            AND (u.health_status IS NULL OR u.health_status != 'unhealthy')
            -- Hosting preference
            AND (COALESCE(p_prefer_hosting, 'any') = 'any' OR u.hosting_type = p_prefer_hosting)
            -- Required capabilities (case-insensitive)
            AND w.capabilities <@ ARRAY(SELECT lower(x) FROM unnest(u.capabilities) x)
            -- Context window
            AND (p_min_context_window IS NULL OR u.context_window >= p_min_context_window)
            -- HIPAA compliance
            AND (NOT COALESCE(p_require_hipaa, FALSE)
                 OR 'hipaa' = ANY(ARRAY(SELECT lower(x) FROM unnest(u.compliance) x)))
            -- Radiant: a route to call, a live model, deprecated ones only when allowed
            AND u.route_id IS NOT NULL
            AND u.model_status != 'inactive'
            AND (COALESCE(p_allow_deprecated, FALSE) OR NOT u.deprecated)
    )
    SELECT
        c.model_id,
        c.display_name,
        c.hosting_type,
        c.provider_name,
        c.primary_mode,
        c.thermal_state,
        (c.hosting_type = 'self_hosted' AND c.thermal_state IN ('COLD', 'OFF')),
        c.warmup_time_seconds,
        c.health_status,
        c.route_id,
        c.platform_id,
        c.avg_latency_ms,
        trim_scale(c.price_key * 0.00000001),
        c.is_estimated_price
    FROM candidates c
    ORDER BY
        -- Prefer HOT > WARM > COLD for latency
        CASE c.thermal_state
            WHEN 'HOT' THEN 0
            WHEN 'WARM' THEN 1
            WHEN 'COLD' THEN 2
            ELSE 3
        END,
        -- Then by latency
        c.avg_latency_ms ASC NULLS LAST,
        -- Then by health
        CASE c.health_status
            WHEN 'healthy' THEN 0
            WHEN 'degraded' THEN 1
            ELSE 2
        END,
        -- Radiant: price of the request, quality, then a total order
        c.price_key ASC NULLS LAST,
        c.quality_score DESC NULLS LAST,
        c.model_id COLLATE "C",
        c.hosting_type
    LIMIT GREATEST(COALESCE(p_limit, 10), 0);
END;
$$ LANGUAGE plpgsql STABLE;
"""

_SIGNATURE = (
    "select_model(VARCHAR, TEXT[], TEXT[], INTEGER, VARCHAR, TEXT[], INTEGER, BOOLEAN,"
    " INTEGER, INTEGER, BOOLEAN, INTEGER)"
)


def _create_seed_sql() -> None:
    op.execute(_VIEW)
    op.execute(_FUNCTION)
    # the application role (migration 0002) reads the view and calls the function
    op.execute("GRANT SELECT ON unified_model_registry TO radiant_app")
    op.execute(f"GRANT EXECUTE ON FUNCTION {_SIGNATURE} TO radiant_app")


def _drop_seed_sql() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {_SIGNATURE}")
    op.execute("DROP VIEW IF EXISTS unified_model_registry")
