{%- import "azure/apps.tf" as azure with context -%}
# The scheduled jobs module: reconciliation (ledger sums against balances), session clean-up, the
# regulator's data export and the retention purge, each a timer-triggered function whose NCRONTAB
# schedule is an app setting (src/<package>/azure_apps/jobs.py). Its roles are what the jobs touch: the
# Sessions table (sessions ended and purged), the Wallet table read only (reconciliation and the export
# read the ledger; a mismatch is reported, never corrected), the exports container (personal and financial
# data, deleted after the jurisdiction's retention by its lifecycle rule), and the topic.
# jobRuns exports another day when an operator asks on its queue (Storage Queue Data Message Sender on
# jobs-jobruns; infra/README.md).
{{ azure.platform() }}

{%- if "wallet" in enabled_modules(cookiecutter) %}

resource "azurerm_storage_container" "exports" {
  # checkov:skip=CKV2_AZURE_21: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                  = "exports"
  storage_account_id    = var.platform.data_storage_id
  container_access_type = "private"
}
{%- endif %}

module "app" {
  source = "../../blocks/function_app"

  platform    = var.platform
  app         = "jobs"
  description = "Reconciliation, session clean-up, data export and retention purge on their schedules"
{%- if "wallet" in enabled_modules(cookiecutter) %}
{{ azure.functions("scheduled_jobs", {"jobRuns": 'entry_point = "job_runs", trigger = "queue", operators = true'}) }}
{%- else %}
{{ azure.functions("scheduled_jobs") }}
{%- endif %}
  grants = merge({
{%- if "wallet" in enabled_modules(cookiecutter) %}
    wallet   = { scope = {{ azure.table("Wallet") }}, role = "Storage Table Data Reader" }
{%- endif %}
    sessions = { scope = {{ azure.table("Sessions") }}, role = "Storage Table Data Contributor" }
{%- if "wallet" in enabled_modules(cookiecutter) %}
    exports  = { scope = azurerm_storage_container.exports.id, role = "Storage Blob Data Contributor" }
{%- endif %}
  }, {{ azure.publish_grant("scheduled_jobs") }})
  app_settings = {
{%- if "wallet" in enabled_modules(cookiecutter) %}
    WALLET_TABLE_NAME   = "Wallet"
{%- endif %}
    SESSIONS_TABLE_NAME = "Sessions"
{%- if "wallet" in enabled_modules(cookiecutter) %}
    EXPORTS_CONTAINER   = azurerm_storage_container.exports.name
{%- endif %}
  }
}

output "api_grants" {
  description = "The API's roles on this module's resources (none: the jobs have no route)."
  value       = {}
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value       = {}
}

output "lifecycle_rules" {
  description = "The exports container's rule in the data account's lifecycle policy (infra/main.tf)."
{%- if "wallet" in enabled_modules(cookiecutter) %}
  # The ledger exports, and the versions a re-run export leaves, are deleted after the retention.
  value = [{
    name              = "exports-retention"
    prefix            = "${azurerm_storage_container.exports.name}/"
    cool_after_days   = null
    delete_after_days = var.platform.retention_days
  }]
{%- else %}
  value       = []
{%- endif %}
}
