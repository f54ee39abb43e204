{#- The function apps' pieces of one casino module, generated from manifest.yaml (see README.md here). -#}
{#- The module's workers as the `functions` map of blocks/function_app: a queue function per worker that
    takes events (their types from the sources this project has, or a stand-in publishes for: the hybrid
    mode's operator wallet publishes the wallet's), a timer function per scheduled one; a
    worker whose `needs` are not all on is left out, as on AWS. -#}
{#- `own`: the app's functions of Azure only, by key, each with the rest of its line (the event lake, the
    runs queues an operator feeds: AWS has no function for them). -#}
{%- macro functions(module, own={}) %}
{%- set on = enabled_modules(cookiecutter) %}
{%- set workers = [] %}
{%- for worker in manifest.modules[module].get("workers", []) if worker.get("needs", []) | reject("in", on) | list | length == 0 %}{% set _ = workers.append(worker) %}{% endfor %}
{#- The keys padded as terraform fmt aligns them. #}
{%- set width = (workers | map(attribute="function") | list + own.keys() | list) | map("length") | max %}
  functions = {
{%- for worker in workers %}
{%- set key = worker.function.ljust(width) %}
{%- if worker.events is defined %}
{%- set types = [] %}
{%- for source, names in worker.events.items() if module_on(cookiecutter, source) %}{% for name in names %}{% set _ = types.append(name) %}{% endfor %}{% endfor %}
    {{ key }} = { entry_point = "{{ worker.handler }}", trigger = "queue", event_types = {{ types | tojson }} }
{%- else %}
    {{ key }} = { entry_point = "{{ worker.handler }}", trigger = "timer", schedule = "{{ ncrontab(worker.schedule) }}" }
{%- endif %}
{%- endfor %}
{%- for key, fields in own.items() %}
    {{ key.ljust(width) }} = { {{ fields }} }
{%- endfor %}
  }
{%- endmacro %}

{#- `{ publishes = <EventGrid Data Sender on the topic> }` when a worker of the module publishes events, else `{}`
    (a map of its own, merged into the app's grants, so that terraform fmt's alignment holds either way). -#}
{%- macro publish_grant(module) -%}
{%- set workers = manifest.modules[module].get("workers", []) %}
{%- if workers | selectattr("publishes", "undefined") | list or workers | selectattr("publishes", "defined") | selectattr("publishes") | list -%}
{ publishes = { scope = var.platform.topic_id, role = "EventGrid Data Sender" } }
{%- else -%}
{}
{%- endif %}
{%- endmacro %}

{#- The module's input: the platform value of infra/events.tf. -#}
{%- macro platform() %}
variable "platform" {
  description = "What the project's core provides: names, the storage accounts, the topic, Key Vault (infra/events.tf)."
  type        = any
}
{%- endmacro %}

{#- The role of a table of the data account, by name (tables made by another module: the wallet's). -#}
{%- macro table(name) -%}
"${var.platform.data_storage_id}/tableServices/default/tables/{{ name }}"
{%- endmacro %}

{#- The hybrid mode (module operator_wallet): a bonus-paying app's role on the Key Vault secret of the key
    its bonus credits to the operator's wallet are signed with (infra/modules/operator_wallet), that secret
    only. -#}
{%- macro operator_wallet_grant() -%}
{ operator_wallet_key = { scope = "${var.platform.key_vault_id}/secrets/operator-wallet-key", role = "Key Vault Secrets User" } }
{%- endmacro %}
