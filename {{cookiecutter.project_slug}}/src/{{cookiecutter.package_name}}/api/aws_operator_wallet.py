"""The hybrid mode on AWS: the webhook's event log in DynamoDB, the operator's platform as a server caller."""

from __future__ import annotations

from collections.abc import Mapping

from ..domain.operator_wallet import PlatformEventIntake
from ..settings import SystemClock
from ..settings_api import ServerCallerSettings
from ..settings_operator_wallet import platform_events_table_name
from .aws_server_calls import caller_with_stored_keys
from .context import ServerCaller, Services
from .operator_wallet import PLATFORM_SCOPE
from .server_calls import OPERATOR_PLATFORM


def aws_platform_event_intake(services: Services) -> PlatformEventIntake:
    """The webhook's intake: its event log in the module's table, the project's bus."""
    # Imported here, not at the top: boto3 loads on the first request that needs it.
    from ..adapters.dynamodb_operator_wallet import DynamoPlatformEventLog

    settings = services.settings()
    log = DynamoPlatformEventLog(platform_events_table_name())
    # Published under the wallet's source: the workers' rules and the audit trail match it unchanged.
    return PlatformEventIntake(log, services.publisher(), SystemClock(), f"{settings.event_source}.wallet")


SERVICE = aws_platform_event_intake


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The operator's platform: its OAuth client ids and its signing keys (SSM SecureStrings, read on use)."""
    caller = ServerCallerSettings.from_env(environ, OPERATOR_PLATFORM.upper())
    return {OPERATOR_PLATFORM: caller_with_stored_keys(PLATFORM_SCOPE, caller)}
