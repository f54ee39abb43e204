# The core function apps every project has: the player API, and the audit trail (append, archive,
# verify). Each casino module's app is in modules/<module>/.
{%- set on = enabled_modules(cookiecutter) %}
{%- set jurisdiction = manifest.jurisdictions[cookiecutter.jurisdiction] %}
{%- set audited = [] %}
{%- for name in jurisdiction.audit_events %}
{%- set event = manifest.audit_events[name] %}
{%- if event.get("status") != "planned" and (event.module == "core" or module_on(cookiecutter, event.module)) %}{% set _ = audited.append(name) %}{% endif %}
{%- endfor %}

# The API: the Flask app behind the HTTP trigger. It reads and writes the modules' tables (their
# grants come from the modules: module.<name>.api_grants) and publishes their events.
module "api" {
  source = "./blocks/function_app"

  platform          = local.platform
  app               = "api"
  description       = "Player HTTP API (the Flask app through the HTTP trigger)"
  maximum_instances = 100
  functions = {
    api = { entry_point = "api", trigger = "http" }
  }
  grants = merge(local.api_grants, {
    publishes = { scope = azurerm_eventgrid_topic.events.id, role = "EventGrid Data Sender" }
  })
  app_settings = local.api_settings
}

module "audit" {
  source = "./blocks/function_app"

  platform    = local.platform
  app         = "audit"
  description = "Appends critical events to the hash-chained audit trail, archives and verifies it"
  functions = {
    auditTrail       = { entry_point = "audit_trail", trigger = "queue", event_types = {{ audited | tojson }} }
    auditArchive     = { entry_point = "audit_archive", trigger = "queue" }
    verifyAuditTrail = { entry_point = "verify_audit_trail", trigger = "timer", schedule = "{{ ncrontab("rate(1 day)") }}" }
  }
  grants = {
    trail   = { scope = azurerm_storage_table.audit_trail.resource_manager_id, role = "Storage Table Data Contributor" }
    archive = { scope = azurerm_storage_container.audit_archive.id, role = "Storage Blob Data Contributor" }
  }
  app_settings = {
    AUDIT_ARCHIVE_CONTAINER = azurerm_storage_container.audit_archive.name
  }
}
