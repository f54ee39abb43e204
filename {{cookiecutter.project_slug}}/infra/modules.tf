# The casino modules this project has (cookiecutter answers), one Terraform module each.
{%- set on = enabled_modules(cookiecutter) %}
{%- for name in on %}

module "{{ name }}" {
{%- if name == "operator_wallet" %}
  source   = "./modules/{{ name }}"
  platform = local.platform
  # Where the operator's wallet takes bonus credits (the bonus-paying workers' OPERATOR_WALLET_URL).
  wallet_url = var.operator_wallet_url
{%- elif "operator_wallet" in on %}
  source = "./modules/{{ name }}"
  # Hybrid mode: the operator's wallet the module's bonus-paying workers credit (its URL, its key's secret).
  platform = merge(local.platform, { operator_wallet = module.operator_wallet.bonus_wallet })
{%- else %}
  source   = "./modules/{{ name }}"
  platform = local.platform
{%- endif %}
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
