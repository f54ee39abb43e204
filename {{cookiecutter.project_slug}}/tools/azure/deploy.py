"""make deploy on Azure: Terraform's plan and apply of infra/, then each function app's code by one-deploy.

    python -m tools.azure.deploy --subscription <id> --stage dev --state-resource-group <group> \
        --state-storage-account <account> [--dry-run] [--auto-approve]

Flex Consumption apps take no zip from Terraform (the azurerm provider has no zip deploy for them): their
code goes by one-deploy, `az functionapp deploy --type zip`, one archive of `make package` per app, after
Terraform has made the apps. The steps: preflight (refused with exit 2 before anything runs: bad stage or
subscription id, a missing or stale archive, no variables file, no state account, no terraform/az, no
credentials); `terraform init` on the stage's state (the azurerm backend of infra/versions.tf, key
`<stage>.tfstate`); the plan, shown; its apply after `yes` (AUTO_APPROVE=1); one-deploy of each app.
`--dry-run` prints every command, in order, and runs none.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tools.azure.function_apps import declared
from tools.azure.live import SUBSCRIPTION_ID, deployment
from tools.azure.package import OUTPUT_DIR, apps_to_package
from tools.deploy_run import REFUSED, Step, preflight, refuse, run_steps, stage_problems, variable_file_flags
from tools.infra_live import INFRA
from tools.project import PROJECT_ROOT

# Azure's rules for the state's names (a storage account: 3-24 lower-case letters or digits).
STORAGE_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
RESOURCE_GROUP = re.compile(r"[\w.()-]{1,90}")
# Passed on the command line, so the variables file need not set them.
GIVEN = ("subscription_id", "stage")


def archives(folder: Path = OUTPUT_DIR) -> dict[str, Path]:
    """Each app whose code is built, and its archive of make package."""
    return {app: folder / f"{app}.zip" for app in apps_to_package()}


def _shown_path(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def steps(
    subscription: str,
    stage: str,
    var_file: Path,
    files: dict[str, Path],
    state_group: str,
    state_account: str,
) -> list[Step]:
    """Every step of the deploy, with its commands' real arguments."""
    deployed = deployment(subscription, stage)
    group = f"{deployed.prefix}-rg"
    terraform = ["terraform", f"-chdir={INFRA.relative_to(PROJECT_ROOT)}"]
    plan = f"{stage}.tfplan"
    publish = [
        [
            "az",
            "functionapp",
            "deploy",
            f"--subscription={subscription}",
            f"--resource-group={group}",
            f"--name={deployed.prefix}-{app}",
            f"--src-path={_shown_path(path)}",
            "--type=zip",
        ]
        for app, path in files.items()
    ]
    return [
        Step(
            "preflight: your credentials (az's, which Terraform's azurerm provider uses too)",
            [["az", "account", "show", f"--subscription={subscription}", "--output=none"]],
            quiet=True,
            on_failure="Sign in with `az login` to a tenant that holds the subscription.",
        ),
        Step(
            f"terraform init: the stage's state in {state_account}/tfstate, key {stage}.tfstate",
            [
                [
                    *terraform,
                    "init",
                    "-input=false",
                    "-reconfigure",
                    f"-backend-config=subscription_id={subscription}",
                    f"-backend-config=resource_group_name={state_group}",
                    f"-backend-config=storage_account_name={state_account}",
                    "-backend-config=container_name=tfstate",
                    f"-backend-config=key={stage}.tfstate",
                    "-backend-config=use_azuread_auth=true",
                ]
            ],
            on_failure="Create the state account and its tfstate container first (infra/README.md).",
        ),
        Step(
            "terraform plan of everything",
            [
                [
                    *terraform,
                    "plan",
                    "-input=false",
                    *variable_file_flags(var_file),
                    f"-var=subscription_id={subscription}",
                    f"-var=stage={stage}",
                    f"-out={plan}",
                ]
            ],
        ),
        Step(
            "terraform apply of that plan",
            [[*terraform, "apply", "-input=false", plan]],
            ask="Apply the plan above?",
            on_failure="Terraform's state keeps what it created: fix the cause and run make deploy again.",
        ),
        Step(
            f"one-deploy of the {len(files)} function apps' code ({', '.join(files)})",
            publish,
            on_failure="The apps before it have their new code; run make deploy again to publish the rest.",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--subscription", required=True, help="the Azure subscription id (make deploy SUBSCRIPTION=)"
    )
    parser.add_argument("--stage", default="dev")
    parser.add_argument(
        "--var-file", type=Path, help="the stage's Terraform variables (default: infra/<stage>.tfvars)"
    )
    parser.add_argument("--state-resource-group", default="", help="the state account's resource group")
    parser.add_argument("--state-storage-account", default="", help="the storage account holding the state")
    parser.add_argument(
        "--archives", type=Path, default=OUTPUT_DIR, help="make package's folder (default: .build/azure)"
    )
    parser.add_argument("--dry-run", action="store_true", help="print every command, run none")
    parser.add_argument("--auto-approve", action="store_true", help="apply without asking")
    args = parser.parse_args(argv)
    problems = []
    if not SUBSCRIPTION_ID.fullmatch(args.subscription):
        problems.append(
            f"SUBSCRIPTION={args.subscription!r}: a subscription id is a GUID "
            "(`az account show --query id` shows yours)"
        )
    problems += stage_problems(args.stage)
    if not RESOURCE_GROUP.fullmatch(args.state_resource_group):
        problems.append(
            f"STATE_RESOURCE_GROUP={args.state_resource_group!r}: name the resource group of "
            "the Terraform state's "
            "storage account (infra/README.md, Deploying)"
        )
    if not STORAGE_ACCOUNT.fullmatch(args.state_storage_account):
        problems.append(
            f"STATE_STORAGE_ACCOUNT={args.state_storage_account!r}: name the storage account of "
            "the Terraform state "
            "(3-24 lower-case letters or digits)"
        )
    if problems:
        return refuse(problems, sys.stdout)
    var_file = args.var_file or INFRA / f"{args.stage}.tfvars"
    files = archives(args.archives)
    ready = preflight(
        ids="SUBSCRIPTION",
        stage=args.stage,
        var_file=var_file,
        given=GIVEN,
        archives=list(files.values()),
        tools=("terraform", "az"),
        dry_run=args.dry_run,
        infra=INFRA,
    )
    if not ready:
        return REFUSED
    for app in sorted(set(declared()) - set(files)):
        print(
            f"note: app {app} is in infra/ but its code is not built: "
            "Terraform makes it, nothing is published to it"
        )
    plan = steps(
        args.subscription, args.stage, var_file, files, args.state_resource_group, args.state_storage_account
    )
    code = run_steps(plan, dry_run=args.dry_run, auto_approve=args.auto_approve)
    return REFUSED if code == REFUSED else code


if __name__ == "__main__":
    sys.exit(main())
