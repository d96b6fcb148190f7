"""``radiant admin``, ``radiant audit`` and ``radiant approvals``: administrators, tokens,
invitations, the audit log and two-person approval."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from radiant.bounds import INT64_MAX
from radiant.cli._auth import TokenOpt, context, engine
from radiant.cli._base import JsonOpt, app, print_json, table
from radiant.security import ANONYMOUS

admin_app = typer.Typer(help="Administrators, their tokens and invitations.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log (read-only).", no_args_is_help=True)
approvals_app = typer.Typer(help="Two-person approval of changes.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
app.add_typer(audit_app, name="audit")
app.add_typer(approvals_app, name="approvals")

RoleOpt = Annotated[str, typer.Option("--role", help="super_admin, admin, operator or auditor.")]
DaysOpt = Annotated[
    int, typer.Option("--days", min=0, max=36_500, help="Token lifetime in days; 0: never expires.")
]


def _services(token: str | None) -> tuple[Any, Any]:
    from radiant.manage.administrators import AdminService

    eng = engine()
    return AdminService(eng), context(token, eng)


def _print_records(data: Any) -> None:
    """JSON as the API writes records (datetimes, decimals, enums)."""
    from radiant.core.audit import jsonable

    print_json(jsonable(data))


def _show_token(secret: str) -> None:
    typer.echo(f"token: {secret}")
    typer.echo("store it now: it is shown only once", err=True)


# ---------------------------------------------------------------------------- administrators


@admin_app.command("create")
def admin_create(
    email: str,
    role: RoleOpt = "super_admin",
    first_name: Annotated[str, typer.Option("--first-name")] = "",
    last_name: Annotated[str, typer.Option("--last-name")] = "",
    days: DaysOpt = 90,
    token: TokenOpt = None,
) -> None:
    """Create an administrator and print their first token. Without --token this works
    only on a registry with no administrator yet (the first super_admin)."""
    admins, ctx = _services(token)
    admin, secret = admins.create_admin(
        None if ctx.principal is ANONYMOUS else ctx,
        email,
        role,
        first_name=first_name,
        last_name=last_name,
        token_days=days or None,
    )
    typer.echo(f"administrator {admin['email']} ({admin['role']}) id {admin['id']}")
    _show_token(secret)


@admin_app.command("list")
def admin_list(as_json: JsonOpt = False) -> None:
    """List administrators."""
    from radiant.manage.administrators import AdminService

    rows = AdminService(engine()).list_admins()
    if as_json:
        _print_records(rows)
        return
    table(
        "Administrators",
        ["id", "email", "role", "status", "created"],
        [[r["id"], r["email"], r["role"], r["status"], r["created_at"]] for r in rows],
    )


@admin_app.command("update")
def admin_update(
    admin_id: str,
    role: Annotated[str | None, typer.Option("--role")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="active, inactive, suspended")
    ] = None,
    token: TokenOpt = None,
) -> None:
    """Change an administrator's role or status (super_admin)."""
    admins, ctx = _services(token)
    row = admins.update_admin(ctx, _admin_id(admins, admin_id), role=role, status=status)
    typer.echo(f"administrator {row['email']}: role {row['role']}, status {row['status']}")


@admin_app.command("create-token")
def token_create(
    admin: Annotated[str, typer.Argument(help="Administrator id or email.")],
    name: Annotated[str, typer.Option("--name")] = "cli",
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="Narrow to a permission (repeat).")
    ] = None,
    days: DaysOpt = 90,
    token: TokenOpt = None,
) -> None:
    """Issue a token (your own, or anyone's as a super_admin); printed once."""
    admins, ctx = _services(token)
    info, secret = admins.issue_token(
        ctx, _admin_id(admins, admin), name, scopes=scope, days=days or None
    )
    typer.echo(f"token {info['id']} ({info['prefix']}…) expires {info['expires_at'] or 'never'}")
    _show_token(secret)


@admin_app.command("list-tokens")
def token_list(
    admin: Annotated[str | None, typer.Argument(help="Administrator id or email.")] = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List tokens (prefix, scopes, expiry, revocation); never the tokens themselves."""
    admins, ctx = _services(token)
    who = _admin_id(admins, admin) if admin else ctx.principal.subject_id
    rows = admins.list_tokens(ctx, who)
    if as_json:
        _print_records(rows)
        return
    table(
        "Tokens",
        ["id", "name", "prefix", "scopes", "expires", "revoked"],
        [
            [
                r["id"],
                r["name"],
                r["prefix"],
                ",".join(r["scopes"] or []) or "all",
                r["expires_at"] or "never",
                r["revoked_at"] or "",
            ]
            for r in rows
        ],
    )


@admin_app.command("revoke-token")
def token_revoke(token_id: str, token: TokenOpt = None) -> None:
    """Revoke a token at once."""
    admins, ctx = _services(token)
    row = admins.revoke_token(ctx, token_id)
    typer.echo(f"token {row['id']} revoked at {row['revoked_at']}")


@admin_app.command("invite")
def invite(
    email: str,
    role: RoleOpt = "operator",
    message: Annotated[str | None, typer.Option("--message")] = None,
    hours: Annotated[int, typer.Option("--hours", min=1, max=24 * 365)] = 72,
    token: TokenOpt = None,
) -> None:
    """Invite an administrator; prints the one-time invitation token."""
    admins, ctx = _services(token)
    row, secret = admins.invite(ctx, email, role, message=message, hours=hours)
    typer.echo(
        f"invitation {row['id']} for {row['email']} ({row['role']}) until {row['expires_at']}"
    )
    typer.echo(f"invitation token: {secret}")


@admin_app.command("accept")
def accept(
    invitation_token: str,
    first_name: Annotated[str, typer.Option("--first-name")] = "",
    last_name: Annotated[str, typer.Option("--last-name")] = "",
) -> None:
    """Accept an invitation: creates your administrator account and prints your token."""
    from radiant.manage.administrators import AdminService

    admin, secret = AdminService(engine()).accept_invitation(
        invitation_token, first_name=first_name, last_name=last_name, client_address="cli"
    )
    typer.echo(f"welcome {admin['email']} ({admin['role']})")
    _show_token(secret)


@admin_app.command("invitations")
def invitations(token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """List invitations."""
    admins, ctx = _services(token)
    rows = admins.list_invitations(ctx)
    if as_json:
        _print_records(rows)
        return
    table(
        "Invitations",
        ["id", "email", "role", "status", "expires"],
        [[r["id"], r["email"], r["role"], r["status"], r["expires_at"]] for r in rows],
    )


def _admin_id(admins: Any, key: str) -> str:
    if "@" not in key:
        return key
    for row in admins.list_admins():
        if row["email"] == key.strip().lower():
            return str(row["id"])
    from radiant.errors import NotFoundError

    raise NotFoundError("administrator", key)


# ---------------------------------------------------------------------------- audit


@audit_app.command("list")
def audit_list(
    actor: Annotated[str | None, typer.Option("--actor")] = None,
    action: Annotated[str | None, typer.Option("--action")] = None,
    resource_type: Annotated[str | None, typer.Option("--resource-type")] = None,
    resource_id: Annotated[str | None, typer.Option("--resource-id")] = None,
    since: Annotated[datetime | None, typer.Option("--since")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, max=INT64_MAX)] = 0,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Audit rows, newest first (needs a token with admin:read)."""
    from radiant.core.audit import AuditQuery, list_audit
    from radiant.core.context import authorize
    from radiant.security import Permission

    eng = engine()
    authorize(context(token, eng).principal, [Permission.ADMIN_READ])
    rows, total = list_audit(
        eng,
        AuditQuery(
            actor=actor,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            since=since,
            limit=limit,
            offset=offset,
        ),
    )
    if as_json:
        _print_records({"data": rows, "count": len(rows), "total": total})
        return
    table(
        f"Audit log ({len(rows)} of {total})",
        ["id", "when", "actor", "action", "resource", "request"],
        [
            [
                r["id"],
                r["created_at"],
                r["actor"]["name"],
                r["action"],
                f"{r['resource_type']}:{r['resource_id']}",
                r["request_id"],
            ]
            for r in rows
        ],
    )


# ---------------------------------------------------------------------------- approvals


def _approvals(token: str | None) -> tuple[Any, Any]:
    from radiant.manage.approvals import ApprovalService
    from radiant.manage.registry_writes import RegistryWriter

    eng = engine()
    return ApprovalService(eng, RegistryWriter(eng)), context(token, eng)


@approvals_app.command("list")
def approvals_list(
    status: Annotated[str | None, typer.Option("--status")] = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approval requests, newest first."""
    service, ctx = _approvals(token)
    rows, total = service.list(ctx, status=status)
    if as_json:
        _print_records({"data": rows, "count": len(rows), "total": total})
        return
    table(
        "Approval requests",
        ["id", "type", "status", "risk", "title", "by", "expires"],
        [
            [
                r["id"],
                r["type"],
                r["status"],
                r["risk_level"],
                r["title"],
                r["initiated_by"]["name"],
                r["expires_at"],
            ]
            for r in rows
        ],
    )


@approvals_app.command("show")
def approvals_show(request_id: str, token: TokenOpt = None) -> None:
    """One request: payload, impact analysis, rollback plan, decision."""
    service, ctx = _approvals(token)
    _print_records(service.get(ctx, request_id))


@approvals_app.command("approve")
def approvals_approve(
    request_id: str,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    token: TokenOpt = None,
) -> None:
    """Approve and apply (you must not be the one who asked)."""
    service, ctx = _approvals(token)
    done, result = service.approve(ctx, request_id, notes)
    typer.echo(f"request {done['id']} {done['status']}; registry version {result.registry_version}")


@approvals_app.command("reject")
def approvals_reject(
    request_id: str,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    token: TokenOpt = None,
) -> None:
    """Reject a pending request."""
    service, ctx = _approvals(token)
    typer.echo(f"request {service.reject(ctx, request_id, notes)['id']} rejected")


@approvals_app.command("cancel")
def approvals_cancel(
    request_id: str,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    token: TokenOpt = None,
) -> None:
    """Withdraw your own pending request."""
    service, ctx = _approvals(token)
    typer.echo(f"request {service.cancel(ctx, request_id, notes)['id']} cancelled")


@approvals_app.command("expire")
def approvals_expire() -> None:
    """Mark pending requests past their expiry as expired."""
    service, _ = _approvals(None)
    typer.echo(f"{service.expire()} request(s) expired")


@approvals_app.command("policy")
def approvals_policy(as_json: JsonOpt = False) -> None:
    """Which change types need a second administrator."""
    from radiant.manage.policy import get_policy

    rows = get_policy(engine())
    if as_json:
        print_json(rows)
        return
    table(
        "Approval policy",
        ["change type", "requires approval", "risk", "expires (h)"],
        [
            [r["change_type"], r["requires_approval"], r["risk_level"], r["expires_hours"]]
            for r in rows
        ],
    )


@approvals_app.command("set-policy")
def approvals_set_policy(
    change_type: str,
    require: Annotated[bool, typer.Option("--require/--no-require")] = True,
    risk: Annotated[str | None, typer.Option("--risk")] = None,
    hours: Annotated[int, typer.Option("--hours", min=1, max=24 * 30)] = 24,
    token: TokenOpt = None,
) -> None:
    """Require (or stop requiring) approval for a change type (super_admin)."""
    from radiant.manage.policy import set_policy

    eng = engine()
    row = set_policy(
        eng,
        context(token, eng),
        change_type,
        requires_approval=require,
        risk_level=risk,
        expires_hours=hours,
    )
    state = "requires" if row["requires_approval"] else "does not require"
    typer.echo(f"{change_type} {state} approval (risk {row['risk_level']})")
