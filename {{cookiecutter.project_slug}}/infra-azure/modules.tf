# The casino modules this project has (cookiecutter answers), one Terraform module each.
{%- set on = enabled_modules(cookiecutter) %}
{%- for name in on %}

module "{{ name }}" {
  source   = "./modules/{{ name }}"
  platform = local.platform
{%- set needs = manifest.modules[name].requires | select("in", on) | list %}
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
