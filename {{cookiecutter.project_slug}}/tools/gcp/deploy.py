"""make deploy on GCP: Terraform's plan and apply of infra/, with the functions' archives uploaded first.

    python -m tools.gcp.deploy --project <project id> --stage dev [--dry-run] [--auto-approve]

Cloud Build reads each function's source archive from the sources bucket when Terraform creates the
function, so the archives must be there first, and the bucket is infra/'s own (its CMEK key, its access
logs). The steps: preflight (refused with exit 2 before anything runs: bad stage or project id, a
missing or stale archive of `make package`, no variables file, no terraform/gcloud, no credentials);
`terraform init` on the stage's state (the GCS backend of infra/versions.tf); a plan and an apply of the
sources bucket alone (`-target`); the upload of the archives; the plan of everything, shown; its apply
after `yes` (AUTO_APPROVE=1). `--dry-run` prints every command, in order, and runs none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.deploy_run import REFUSED, Step, preflight, refuse, run_steps, stage_problems, variable_file_flags
from tools.gcp.live import PROJECT_ID, deployment
from tools.gcp.package import OUTPUT, deployed_functions, is_built, source_version
from tools.infra_live import INFRA
from tools.project import PROJECT_ROOT

SOURCES_BUCKET = "google_storage_bucket.sources"
# Passed on the command line, so the variables file need not set them.
GIVEN = ("project_id", "stage", "source_version")


def archives(version: str, folder: Path = OUTPUT) -> list[Path]:
    """The archive of each built function infra/ deploys: the object its source_object names."""
    return [folder / f"{f.key}-{version}.zip" for f in deployed_functions() if is_built(f.entry_point)]


def steps(
    project: str, stage: str, version: str, var_file: Path, files: list[Path], state_bucket: str
) -> list[Step]:
    """Every step of the deploy, with its commands' real arguments."""
    bucket = f"{deployment(project, stage).unique}-sources"
    terraform = ["terraform", f"-chdir={INFRA.relative_to(PROJECT_ROOT)}"]
    variables = [
        *variable_file_flags(var_file),
        f"-var=project_id={project}",
        f"-var=stage={stage}",
        f"-var=source_version={version}",
    ]
    sources_plan, full_plan = f"{stage}-sources.tfplan", f"{stage}.tfplan"
    return [
        Step(
            "preflight: your credentials (gcloud's, and the application default ones Terraform uses)",
            [
                ["gcloud", "auth", "print-access-token", "--quiet"],
                ["gcloud", "auth", "application-default", "print-access-token"],
                ["gcloud", "projects", "describe", project, "--format=value(projectId)"],
            ],
            quiet=True,
            on_failure=(
                "Sign in: `gcloud auth login` and `gcloud auth application-default login`, "
                "with access to the project."
            ),
        ),
        Step(
            f"terraform init: the stage's state in gs://{state_bucket}, prefix {stage}",
            [
                [
                    *terraform,
                    "init",
                    "-input=false",
                    "-reconfigure",
                    f"-backend-config=bucket={state_bucket}",
                    f"-backend-config=prefix={stage}",
                ]
            ],
            on_failure=f"Create the state bucket first (infra/README.md, Deploying): gs://{state_bucket}.",
        ),
        Step(
            f"terraform plan of the sources bucket alone ({SOURCES_BUCKET} and the keys it needs)",
            [
                [
                    *terraform,
                    "plan",
                    "-input=false",
                    f"-target={SOURCES_BUCKET}",
                    *variables,
                    f"-out={sources_plan}",
                ]
            ],
        ),
        Step(
            "terraform apply of the sources bucket's plan",
            [[*terraform, "apply", "-input=false", sources_plan]],
            ask="Apply the sources bucket's plan above?",
            on_failure="Terraform's state keeps what it created: run make deploy again.",
        ),
        Step(
            f"upload the {len(files)} function archives to gs://{bucket}",
            [
                [
                    "gcloud",
                    "storage",
                    "cp",
                    *[_shown_path(path) for path in files],
                    f"gs://{bucket}/",
                    f"--project={project}",
                ]
            ],
            on_failure="The archives uploaded are the ones named in the bucket; run make deploy again.",
        ),
        Step(
            "terraform plan of everything",
            [[*terraform, "plan", "-input=false", *variables, f"-out={full_plan}"]],
        ),
        Step(
            "terraform apply of that plan",
            [[*terraform, "apply", "-input=false", full_plan]],
            ask="Apply the plan above?",
            on_failure="Terraform's state keeps what it created: fix the cause and run make deploy again.",
        ),
    ]


def _shown_path(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", required=True, help="the Google Cloud project id (make deploy PROJECT=)")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--source-version", help="the archives' version (default: infra's source_version)")
    parser.add_argument(
        "--var-file", type=Path, help="the stage's Terraform variables (default: infra/<stage>.tfvars)"
    )
    parser.add_argument(
        "--state-bucket", help="the Terraform state bucket (default: <project id>-terraform-state)"
    )
    parser.add_argument(
        "--archives", type=Path, default=OUTPUT, help="make package's folder (default: .build/gcp)"
    )
    parser.add_argument("--dry-run", action="store_true", help="print every command, run none")
    parser.add_argument("--auto-approve", action="store_true", help="apply without asking")
    args = parser.parse_args(argv)
    problems = []
    if not PROJECT_ID.fullmatch(args.project):
        problems.append(
            f"PROJECT={args.project!r}: a project id is 6-30 lower-case letters, digits or hyphens, "
            "starting with a letter (`gcloud projects list` shows yours)"
        )
    problems += stage_problems(args.stage)
    if problems:
        return refuse(problems, sys.stdout)
    version = args.source_version or source_version()
    var_file = args.var_file or INFRA / f"{args.stage}.tfvars"
    files = archives(version, args.archives)
    ready = preflight(
        ids="PROJECT",
        stage=args.stage,
        var_file=var_file,
        given=GIVEN,
        archives=files,
        tools=("terraform", "gcloud"),
        dry_run=args.dry_run,
        infra=INFRA,
    )
    if not ready:
        return REFUSED
    plan = steps(
        args.project,
        args.stage,
        version,
        var_file,
        files,
        args.state_bucket or f"{args.project}-terraform-state",
    )
    code = run_steps(plan, dry_run=args.dry_run, auto_approve=args.auto_approve)
    return REFUSED if code == REFUSED else code


if __name__ == "__main__":
    sys.exit(main())
