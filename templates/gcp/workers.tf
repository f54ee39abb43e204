{#- The workers and jobs of one casino module, generated from manifest.yaml (see README.md here). -#}
{%- macro workers(module) %}
{%- set on = enabled_modules(cookiecutter) %}
{#- A worker whose `needs` are not all on is not deployed (a stand-in meets none: hybrid mode). #}
{%- for worker in deployed_workers(cookiecutter, module) %}
{%- set name = worker.handler %}
{#- It publishes as its `sources` (the modules whose events it makes), else as its own module. #}
{%- set topics = [] %}
{%- set entries = [] %}
{%- for key in worker.get("sources", [module]) %}
{%- set _ = topics.append('var.platform.topics["' ~ key ~ '"]') %}
{%- set _ = entries.append(key ~ ' = var.platform.topics["' ~ key ~ '"]') %}
{%- endfor %}
{%- set publishes = '[' ~ topics | join(", ") ~ ']' if worker.get("publishes", true) else "[]" %}
{#- A worker that publishes is told its topics as the API is (EVENT_TOPICS: topic key -> topic path). #}
{%- set event_topics = ', { EVENT_TOPICS = jsonencode({ ' ~ entries | join(", ") ~ ' }) }' if worker.get("publishes", true) else "" %}
{#- Hybrid mode: a worker that pays bonuses credits the operator's wallet, signed with the key of the
    secret its name is given (infra/modules/operator_wallet: var.platform.operator_wallet). #}
{%- set pays_operator = worker.get("grants_bonuses") and "operator_wallet" in on %}
{%- set bonus_wallet = ", local." ~ name ~ "_operator_wallet" if pays_operator else "" %}
{%- if worker.events is defined %}
module "{{ name }}" {
  source = "../../blocks/worker"

  project_id           = var.platform.project_id
  region               = var.platform.region
  prefix               = var.platform.prefix
  stage                = var.platform.stage
  function             = "{{ worker.function }}"
  label                = "{{ worker.label }}"
  description          = "{{ worker.description }}"
  entry_point          = "{{ worker.handler }}"
  runtime              = var.platform.runtime
  code                 = merge(var.platform.code, { source_object = "{{ worker.function }}-${var.platform.source_version}.zip" })
  timeout_seconds      = {{ worker.get("timeout", 30) }}
  memory               = "{{ worker.get("memory", 256) }}M"
  max_instances        = {{ worker.get("concurrency", 5) }}
  events_kms_key       = var.platform.events_kms_key
  environment          = merge(var.platform.environment, local.environment{{ event_topics }}{{ bonus_wallet }})
  publish_topics       = {{ publishes }}
  pubsub_service_agent = var.platform.pubsub_service_agent
  # One subscription per source module this project has, filtered on the events' type attribute.
  subscriptions = {
{%- for source, types in worker.events.items() if module_on(cookiecutter, source) %}
{%- set clauses = [] %}
{%- for type in types %}{% set _ = clauses.append('attributes.type = \\"' ~ type ~ '\\"') %}{% endfor %}
    {{ source }} = {
      topic  = var.platform.topics["{{ source }}"]
      filter = "{{ clauses | join(" OR ") }}"
    }
{%- endfor %}
  }
}
{%- else %}
module "{{ name }}" {
  source = "../../blocks/job"

  project_id      = var.platform.project_id
  region          = var.platform.region
  prefix          = var.platform.prefix
  stage           = var.platform.stage
  function        = "{{ worker.function }}"
  label           = "{{ worker.label }}"
  description     = "{{ worker.description }}"
  entry_point     = "{{ worker.handler }}"
  runtime         = var.platform.runtime
  schedule        = "{{ unix_cron(worker.schedule) }}"
  code            = merge(var.platform.code, { source_object = "{{ worker.function }}-${var.platform.source_version}.zip" })
  timeout_seconds = {{ worker.get("timeout", 300) }}
  memory          = "{{ worker.get("memory", 256) }}M"
  environment     = merge(var.platform.environment, local.environment{{ event_topics }})
  publish_topics  = {{ publishes }}
}
{%- endif %}

{#- firestore: read: the worker only reads the database (a ledger job): it is given the viewer role. #}
resource "google_project_iam_member" "{{ name }}_database" {
  project = var.platform.project_id
  role    = "{{ "roles/datastore.viewer" if worker.get("firestore") == "read" else "roles/datastore.user" }}"
  member  = module.{{ name }}.service_account_member

  condition {
    title      = "casino-database-only"
    expression = var.platform.database_condition
  }
}
{%- if pays_operator %}

locals {
  # The operator's wallet this worker credits bonuses on, and the secret of the key it signs them with.
  {{ name }}_operator_wallet = {
    OPERATOR_WALLET_URL        = var.platform.operator_wallet.url
    OPERATOR_WALLET_KEY_SECRET = var.platform.operator_wallet.key_secret
  }
}

# The key it signs its bonus credits with: this secret only (not the platform's webhook keys).
resource "google_secret_manager_secret_iam_member" "{{ name }}_operator_wallet_key" {
  project   = var.platform.project_id
  secret_id = var.platform.operator_wallet.key_secret
  role      = "roles/secretmanager.secretAccessor"
  member    = module.{{ name }}.service_account_member
}
{%- endif %}
{%- endfor %}
{%- endmacro %}

{#- The module's input: the platform value of infra/events.tf. -#}
{%- macro platform() %}
variable "platform" {
  description = "What the project's core provides: ids, keys, topics, the database and the function code (infra/events.tf)."
  type        = any
}
{%- endmacro %}
