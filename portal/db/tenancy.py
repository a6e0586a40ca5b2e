"""The tenancy layer: one scope per request, applied to every ORM query, failing closed.

Party-owned models inherit `Tenanted` and say, in `tenant_criteria`, which rows a party
may see. A `do_orm_execute` hook adds those criteria (through `with_loader_criteria`) to
every ORM SELECT, UPDATE and DELETE, so queries, lazy loads and templates walking
relationships are all filtered. A query that touches a tenanted model while no scope is
set raises `TenancyError`: the CLI, background jobs and token flows must open an
explicitly named `system_scope()`.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from sqlalchemy import event, false
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria


class TenancyError(RuntimeError):
    """A tenanted model was queried with no scope set."""


@dataclass(frozen=True)
class Scope:
    """Who the data is being read for: `staff`, `client`, `supplier`, `anonymous` or `system`."""

    kind: str
    org_id: int | None = None
    reason: str = ""

    @property
    def unrestricted(self) -> bool:
        return self.kind in ("system", "staff")


ANONYMOUS = Scope("anonymous")
_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("portal_scope", default=None)
_tenanted: list[type] = []


def current_scope() -> Scope | None:
    return _current.get()


def set_scope(scope: Scope | None) -> contextvars.Token:
    return _current.set(scope)


def reset_scope(token: contextvars.Token) -> None:
    _current.reset(token)


@contextmanager
def scoped(scope: Scope) -> Iterator[Scope]:
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


@contextmanager
def system_scope(reason: str) -> Iterator[Scope]:
    """Read and write across every tenant; `reason` names why (CLI, tick, a token flow)."""
    with scoped(Scope("system", None, reason)) as scope:
        yield scope


def scope_for_user(user) -> Scope:
    """The scope of a signed-in user: staff see every tenant, parties their own organisation."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    return Scope(user.portal, user.org_id)


class Tenanted:
    """Mixin for party-owned models. Subclasses define `tenant_criteria(scope)`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__tablename__" in cls.__dict__:
            _tenanted.append(cls)

    @classmethod
    def tenant_criteria(cls, scope: Scope):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError


def tenanted_models() -> list[type]:
    return list(_tenanted)


def _criteria(model: type, scope: Scope):
    if scope.kind == "anonymous" or scope.org_id is None:
        return false()
    return model.tenant_criteria(scope)


@event.listens_for(Session, "do_orm_execute")
def _apply_tenancy(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load:
        # Refreshing attributes of an object that was already loaded in this scope.
        return
    touched = [m.class_ for m in state.all_mappers if issubclass(m.class_, Tenanted)]
    scope = _current.get()
    if scope is None:
        if touched:
            names = ", ".join(sorted(c.__name__ for c in touched))
            raise TenancyError(f"query of {names} with no tenancy scope set")
        return
    if scope.unrestricted:
        return
    if state.execution_options.get("tenancy_applied"):
        # The statement carries its own tenancy: see `self_scoped`.
        return
    state.statement = state.statement.options(*_scope_options(scope.kind, scope.org_id, len(_tenanted)))


def scope_criteria(model: type, scope: Scope | None) -> list:
    """The WHERE clauses `model`'s rows need in `scope` (none when unrestricted); fails closed."""
    if scope is None:
        raise TenancyError(f"query of {model.__name__} with no tenancy scope set")
    return [] if scope.unrestricted else [_criteria(model, scope)]


def self_scoped(stmt, *models: type):
    """Filter `stmt` by the current scope's criteria of `models` itself, and tell the hook so.

    For hot, single-table reads (the header's badge, the live cursor): attaching every tenanted
    model's loader criteria costs more than the query. Only for statements whose FROM holds just
    `models` (no joins, no relationship loads). Fails closed like the hook: no scope, no rows.
    """
    scope = _current.get()
    if scope is None:
        raise TenancyError(f"query of {', '.join(m.__name__ for m in models)} with no tenancy scope set")
    if not scope.unrestricted:
        for model in models:
            stmt = stmt.where(_criteria(model, scope))
    return stmt.execution_options(tenancy_applied=True)


@lru_cache(maxsize=4096)
def _scope_options(kind: str, org_id: int | None, models: int) -> tuple:
    """The loader criteria of one party's scope, built once per (kind, org) and reused: SQL expressions
    are immutable, and building one per tenanted model on every query was most of a page's ORM cost."""
    scope = Scope(kind, org_id)
    return tuple(with_loader_criteria(model, _criteria(model, scope), include_aliases=True)
                 for model in _tenanted[:models])
