"""Controls of the hybrid mode: no wagering where the law keeps it off public clouds, and the webhook's key.

N.J.S.A. 5:12-95.22(a) keeps the equipment that conducts Internet gaming in Atlantic City, where no
public cloud region is: a us-nj project serves the supporting modules around the operator's own wallet
(module operator_wallet). Generation refuses the wallet there; `no_wagering_function` proves the
packaged stack stayed so after local edits. `platform_webhook_key_from_secret_store` checks that the
keys of the hybrid mode's signed calls come from SSM Parameter Store, named in the environment.
"""

from __future__ import annotations

import zipfile

from tools import regulation
from tools.audit import config
from tools.audit.model import Outcome, StaticContext
from tools.audit.stack import Stack, as_list, strings

FUNCTION = "AWS::Lambda::Function"
ROUTE = "AWS::ApiGatewayV2::Route"
TABLE = "AWS::DynamoDB::Table"
# What each wagering module deploys besides its functions (config.WAGERING_FUNCTIONS): the routes its
# API answers, its tables and the code that moves money or guards bets.
WAGERING_ROUTES: dict[str, tuple[str, ...]] = {
    "wallet": ("/wallet",),
    "responsible_gaming": (
        "/players/me/protection",
        "/players/me/limits",
        "/players/me/self-exclusion",
        "/players/me/cool-off",
        "/players/{player_id}/kyc",
    ),
}
WAGERING_TABLES: dict[str, tuple[str, ...]] = {
    "wallet": ("WalletTable",),
    "responsible_gaming": ("WalletTable",),
}
WAGERING_HANDLERS: dict[str, tuple[str, ...]] = {
    "wallet": (
        "handlers/wallet_outbox.py",
        "api/wallet.py",
        "domain/wallet.py",
        "adapters/dynamodb_wallet.py",
        "adapters/memory_wallet.py",
    ),
    "responsible_gaming": ("api/responsible_gaming.py", "domain/responsible_gaming.py"),
}
# The hybrid mode's signing keys: each must be the NAME of a parameter the function may read.
KEY_PARAMETERS = ("OPERATOR_PLATFORM_KEY_PARAMETER", "OPERATOR_WALLET_KEY_PARAMETER")


def _logical_id(function: str) -> str:
    """The Serverless Framework's logical id of a function (walletOutbox: WalletOutboxLambdaFunction)."""
    return function[:1].upper() + function[1:] + "LambdaFunction"


def no_wagering_function(context: StaticContext) -> Outcome:
    """Where the jurisdiction keeps wagering off public clouds: no function, route, table or code of it."""
    if not config.WAGERING_MODULES:
        return Outcome.skip(f"{regulation.JURISDICTION} lets wagering run in a public cloud region")
    stack = context.stack
    offenders = []
    functions = stack.of_type(FUNCTION)
    offenders += [
        f"{_logical_id(name)}: a function of a wagering module"
        for name in config.WAGERING_FUNCTIONS
        if _logical_id(name) in functions
    ]
    for logical_id, route in stack.of_type(ROUTE).items():
        key = str(Stack.props(route).get("RouteKey", ""))
        path = key.partition(" ")[2]
        for module in config.WAGERING_MODULES:
            if any(
                path == prefix or path.startswith(prefix + "/") for prefix in WAGERING_ROUTES.get(module, ())
            ):
                offenders.append(f"{logical_id} ({key}): a route of {module}")
    tables = stack.of_type(TABLE)
    offenders += sorted(
        {
            f"{table}: the table of {module}"
            for module in config.WAGERING_MODULES
            for table in WAGERING_TABLES.get(module, ())
            if table in tables
        }
    )
    # The zips the stack deploys (named in its template): the last package's, in .serverless/.
    template = context.template_path.read_text(encoding="utf-8")
    zips = sorted(
        path for path in (context.project / ".serverless").glob("*.zip") if f"/{path.name}" in template
    )
    for archive in zips:
        with zipfile.ZipFile(archive) as packaged:
            names = packaged.namelist()
        for module in config.WAGERING_MODULES:
            offenders += [
                f"{archive.name}: holds {name}, code of {module}"
                for name in names
                if any(name.endswith("/" + handler) for handler in WAGERING_HANDLERS.get(module, ()))
            ]
    checked = (
        f"{len(functions)} function(s), {len(stack.of_type(ROUTE))} route(s), {len(tables)} table(s), "
        f"{len(zips)} zip(s) against {', '.join(config.WAGERING_MODULES)} ({regulation.JURISDICTION})"
    )
    return Outcome.verdict(offenders, checked)


def platform_webhook_key_from_secret_store(context: StaticContext) -> Outcome:
    """The hybrid mode's signing keys are SSM parameters the function may read, never values."""
    stack = context.stack
    users = {
        logical_id: (Stack.props(function).get("Environment") or {}).get("Variables") or {}
        for logical_id, function in stack.of_type(FUNCTION).items()
    }
    users = {logical_id: env for logical_id, env in users.items() if "OPERATOR_PLATFORM_CLIENT_IDS" in env}
    if not users:
        return Outcome.skip("this stack has no hybrid mode (module operator_wallet): no platform webhook")
    offenders = []
    for logical_id, environment in users.items():
        for variable in KEY_PARAMETERS:
            value = environment.get(variable)
            name = next(iter(strings(value)), "") if value is not None else ""
            if not isinstance(name, str) or not name.startswith("/"):
                offenders.append(f"{logical_id}: {variable} does not name an SSM parameter ({value!r})")
        offenders += [
            f"{logical_id}: {name} holds a key in the environment; pass its parameter's name instead"
            for name in environment
            if name.startswith("OPERATOR_") and name.endswith("_KEY")
        ]
    api = next((lid for lid in users if lid.startswith("Api")), None)
    if api is not None:
        readable = _readable_parameters(stack, api)
        name = next(iter(strings(users[api].get("OPERATOR_PLATFORM_KEY_PARAMETER"))), "")
        if name and name not in readable:
            offenders.append(f"{api}: its role cannot read {name}, so the webhook refuses every event")
    return Outcome.verdict(offenders, f"{len(users)} function(s) with the platform webhook's settings")


def _readable_parameters(stack: Stack, function_id: str) -> set[str]:
    """The SSM parameter names (from their ARNs' last part) the function's role may GetParameter."""
    function = stack.resources[function_id]
    role = stack.target(Stack.props(function).get("Role"))
    if role is None:
        return set()
    names: set[str] = set()
    for policy in as_list(Stack.props(stack.resources[role]).get("Policies")):
        for statement in as_list((policy.get("PolicyDocument") or {}).get("Statement")):
            if "ssm:GetParameter" not in as_list(statement.get("Action")):
                continue
            for resource in as_list(statement.get("Resource")):
                # A Fn::Join's parts joined: "arn:...:ssm:...:parameter/<name>".
                arn = "".join(strings(resource))
                if ":parameter/" in arn:
                    names.add(arn.partition(":parameter")[2])
    return names
