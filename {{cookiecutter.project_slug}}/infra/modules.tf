# The casino modules this project has (cookiecutter answers), one Terraform module each.
{%- set on = enabled_modules(cookiecutter) %}
{%- for name in on %}

module "{{ name }}" {
  source   = "./modules/{{ name }}"
  platform = local.platform
}
{%- endfor %}

locals {
  # The variables each module adds to the API function (its secrets' names).
  api_environment = merge(
{%- for name in on %}
    module.{{ name }}.api_environment,
{%- endfor %}
  )
}
