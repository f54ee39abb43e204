# {{ cookiecutter.project_name }}: the GCP infrastructure (Terraform). The google and google-beta providers
# are pinned exactly: 6.50.0 is the version whose schemas the offline check knows (infra/schema/, make
# infra-check). google-beta serves the API Gateway resources only (gateway.tf): the google provider has none.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "6.50.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "6.50.0"
    }
  }

  # State: one Cloud Storage bucket per GCP project, made once before the first apply, with versioning
  # and a CMEK key (the state holds resource names and service account e-mails, never secret values:
  # secrets are added to Secret Manager outside Terraform). A partial configuration: make deploy runs
  # `terraform init -backend-config=bucket=<project id>-terraform-state -backend-config=prefix=<stage>`
  # (STATE_BUCKET= names another bucket), so each stage keeps its own state (infra/README.md, Deploying).
  backend "gcs" {}
}
