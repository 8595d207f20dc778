"""`mrvtrace review list|show|decide`: the review queue, one finding with its history, and a
decision, on the configured store, as the API answers them.

The command line acts for the operator of the store: national scope and the supervisor role
unless `--scope` and `--role` say otherwise (e.g. to see a city's queue as its reviewer does).
"""

import getpass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.presentation.cli.help_style import HELP_MARKUP
from app.presentation.quantities import format_value
from app.settings import get_settings

review_app = typer.Typer(
    help="The review loop: queue, findings and decisions.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
ScopeOption = Annotated[
    str, typer.Option("--scope", help="national, province:<code> or city:<code>.")
]
RoleOption = Annotated[str, typer.Option("--role", help="reviewer, supervisor or read-only.")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who decides (default: your login).")]
_FIELDS = ("finding_id", "unit_id", "period", "root_parameter", "status", "version", "priority")


def _actor(scope: str, role: str, by: str | None) -> object:
    from app.services.access import ScopeError, parse_role, parse_scope
    from app.services.review_states import Actor

    try:
        return Actor(by or getpass.getuser(), parse_role(role), parse_scope(scope))
    except ScopeError as error:
        raise typer.BadParameter(str(error)) from None


def _text(value: object) -> str:
    if isinstance(value, float):
        return format_value(value)
    return "–" if value is None else str(value)


@review_app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(help="Only findings of this status.")] = None,
    region: Annotated[str | None, typer.Option(help="A city or province code.")] = None,
    min_priority: Annotated[
        float | None, typer.Option(min=0, help="Only findings of at least this priority.")
    ] = None,
    min_age_days: Annotated[
        float | None, typer.Option(min=0, max=36_500, help="Only findings open this many days.")
    ] = None,
    assignee: Annotated[str | None, typer.Option(help="Only findings this reviewer took.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    scope: ScopeOption = "national",
    role: RoleOption = "supervisor",
) -> None:
    """The queue, highest priority first."""
    from app.infrastructure.stores.factory import open_store
    from app.services.review_states import Actor, FindingStatus
    from app.services.reviews import QueueFilters, findings_page

    actor = _actor(scope, role, None)
    assert isinstance(actor, Actor)
    try:
        wanted = FindingStatus(status) if status else None
    except ValueError:
        raise typer.BadParameter(f"unknown status {status!r}") from None
    store = open_store(get_settings())
    try:
        filters = QueueFilters(wanted, region, min_priority, min_age_days, assignee)
        page, _ = findings_page(store, filters, limit, None, actor)
    finally:
        store.close()
    table = Table(title="Review queue")
    for name in _FIELDS:
        # Ids whole, never cut: they are what `show` and `decide` take.
        table.add_column(
            name,
            no_wrap=name in ("finding_id", "root_parameter"),
            justify="right" if name in ("version", "priority") else "left",
        )
    for row in page:
        table.add_row(*[_text(row[name]) for name in _FIELDS])
    Console().print(table)


@review_app.command("show")
def show_command(
    finding_id: Annotated[str, typer.Argument(help="A finding's id.")],
    scope: ScopeOption = "national",
    role: RoleOption = "supervisor",
) -> None:
    """One finding, its history and the trace of its unit-month."""
    from app.infrastructure.stores.factory import open_store
    from app.services.analysis import NotFound
    from app.services.review_states import Actor
    from app.services.reviews import finding_detail

    actor = _actor(scope, role, None)
    assert isinstance(actor, Actor)
    settings = get_settings()
    store = open_store(settings)
    try:
        detail = finding_detail(store, finding_id, actor, settings.allowance_price_cny)
    except NotFound as error:
        Console(stderr=True).print(str(error))
        raise typer.Exit(1) from None
    finally:
        store.close()
    console = Console()
    for name, value in detail.finding.items():
        console.print(f"{name}: {_text(value)}")
    if detail.trace is not None:
        console.print(f"trace: mrvtrace why {detail.trace.unit_id} --period {detail.trace.period}")
    history = Table("version", "at", "actor", "role", "from", "to", "comment", title="History")
    for event in detail.history:
        history.add_row(
            *[
                _text(event[k])
                for k in ("version", "at", "actor", "role", "from_status", "to_status", "comment")
            ]
        )
    console.print(history)
    console.print("next: " + (", ".join(s.value for s in detail.next_statuses) or "–"))


@review_app.command("decide")
def decide_command(
    finding_id: Annotated[str, typer.Argument(help="A finding's id.")],
    to_status: Annotated[str, typer.Argument(help="The new status, e.g. confirmed.")],
    version: Annotated[int, typer.Option("--version", help="The version you decided on.")],
    reason: Annotated[str | None, typer.Option("--reason", help="A dismissal's code.")] = None,
    comment: Annotated[str, typer.Option("--comment")] = "",
    scope: ScopeOption = "national",
    role: RoleOption = "supervisor",
    by: ByOption = None,
) -> None:
    """Move a finding to a new status; exits 1 when refused, 3 when it changed meanwhile."""
    from app.infrastructure.stores.contract import FindingConflict
    from app.infrastructure.stores.factory import open_store
    from app.services.analysis import NotFound
    from app.services.review_states import (
        Actor,
        Decision,
        DecisionRefused,
        DismissalReason,
        FindingStatus,
    )
    from app.services.reviews import decide

    actor = _actor(scope, role, by)
    assert isinstance(actor, Actor)
    try:
        decision = Decision(
            FindingStatus(to_status), DismissalReason(reason) if reason else None, comment
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    errors = Console(stderr=True)
    store = open_store(get_settings())
    try:
        finding, _ = decide(store, finding_id, version, decision, actor)
    except (NotFound, DecisionRefused) as error:
        errors.print(str(error))
        raise typer.Exit(1) from None
    except FindingConflict as conflict:
        errors.print(f"{conflict}: now {conflict.current['status']}; show it and decide again")
        raise typer.Exit(3) from None
    finally:
        store.close()
    Console().print(f"{finding_id}: {finding['status']} (version {finding['version']})")


def register(app: typer.Typer) -> None:
    """Add the `review` sub-command group to the `mrvtrace` app."""
    app.add_typer(review_app, name="review")
