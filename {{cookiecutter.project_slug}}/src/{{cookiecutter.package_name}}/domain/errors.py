"""Domain errors: each maps to one HTTP status and a stable machine-readable code."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal the domain makes on purpose."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """A request field is missing or malformed."""

    code = "invalid_request"
    status = 422


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's)."""

    code = "not_found"
    status = 404


class Conflict(DomainError):
    """The request contradicts what is already recorded."""

    code = "conflict"
    status = 409


class TransactionConflict(Conflict):
    """A transaction id was reused with a different payload."""

    code = "transaction_conflict"


class BetAlreadyRolledBack(Conflict):
    """A bet arrived after its rollback; the tombstone refuses it."""

    code = "bet_rolled_back"


class InsufficientFunds(DomainError):
    """The bet would take the balance below zero."""

    code = "insufficient_funds"
    status = 402


class CurrencyMismatch(DomainError):
    """The transaction's currency is not the wallet's currency."""

    code = "currency_mismatch"
    status = 422


class SessionClosed(Conflict):
    """The session has ended; start a new one."""

    code = "session_closed"
