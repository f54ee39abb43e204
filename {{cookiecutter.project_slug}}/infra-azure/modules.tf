# The casino modules this project has (cookiecutter answers), one Terraform module each.
{%- set on = enabled_modules(cookiecutter) %}
{%- for name in on %}

module "{{ name }}" {
  source   = "./modules/{{ name }}"
  platform = local.platform
{#- A module the project has in place of a required one (the hybrid mode's operator_wallet for the
    wallet) is made first as that one would be: the apps' roles on its resources need them. #}
{%- set needs = [] %}
{%- for required in manifest.modules[name].requires %}
{%- if required in on %}{% set _ = needs.append(required) %}
{%- else %}
{%- for other in on if manifest.modules[other].get("replaces") == required and name in manifest.modules[other].get("serves", []) %}{% set _ = needs.append(other) %}{% endfor %}
{%- endif %}
{%- endfor %}
{%- if needs %}
  # Its app's roles on {{ needs | join(" and ") }}'s tables need them made first.
  depends_on = [{% for other in needs %}module.{{ other }}{{ ", " if not loop.last }}{% endfor %}]
{%- endif %}
}
{%- endfor %}

locals {
  # What each module gives the API: its roles on the module's resources and its settings.
  api_grants = merge(
{%- for name in on %}
    module.{{ name }}.api_grants,
{%- endfor %}
  )
  api_settings = merge(
{%- for name in on %}
    module.{{ name }}.api_settings,
{%- endfor %}
  )
}
