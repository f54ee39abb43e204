"""The operator's wallet the bonus-paying workers credit in hybrid mode, built on the first bonus."""

from __future__ import annotations

from ..domain.operator_wallet import OperatorBonusWallet, OperatorRefused


def operator_bonus_wallet() -> OperatorBonusWallet:
    """Bonus credits to the operator's wallet, signed with this stack's key from SSM Parameter Store."""
    from ..adapters.operator_platform import OperatorPlatformClient
    from ..adapters.parameter_store import SecureParameter
    from ..settings_operator_wallet import OperatorWalletSettings

    settings = OperatorWalletSettings.from_env()
    if settings.operator_wallet_key_parameter is None:
        # Never unsigned: without its key the worker fails the record, and the dead-letter queue alarms.
        raise OperatorRefused("OPERATOR_WALLET_KEY_PARAMETER is not set: no bonus is sent unsigned")
    key = SecureParameter(settings.operator_wallet_key_parameter)
    return OperatorBonusWallet(OperatorPlatformClient(settings.operator_wallet_url, key.value))
