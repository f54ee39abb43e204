variable "subscription_id" {
  description = "The Azure subscription to deploy to (one subscription or at least one resource group per stage)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.subscription_id))
    error_message = "subscription_id: the subscription's GUID (az account show --query id -o tsv)."
  }
}

variable "region" {
  description = "The Azure region of every resource: function apps, storage, Key Vault, Event Grid, logs."
  type        = string
  default     = "{{ cookiecutter.region }}"

  validation {
    condition     = var.region == "{{ cookiecutter.region }}"
    error_message = "region: this project was generated for {{ cookiecutter.region }} ({{ cookiecutter.jurisdiction }}'s residency rule was checked for it); use make regenerate REGION=<region> for another."
  }
}

variable "stage" {
  description = "The stage (dev, staging, prod...): 1 to 7 lower-case letters or digits, as in the Makefile's STAGE."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,6}$", var.stage))
    error_message = "stage: use 1-7 lower-case letters or digits, starting with a letter (e.g. dev, staging, prod)."
  }
}

variable "alert_email" {
  description = "The e-mail address of the action group that receives the alerts."
  type        = string
  default     = "{{ cookiecutter.alert_email }}"
}

variable "cors_origins" {
  description = "The exact origins (scheme://host[:port]) of the player front ends allowed to call the API from a browser."
  type        = list(string)
  default     = ["https://play.example.com"]

  validation {
    condition     = alltrue([for origin in var.cors_origins : can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", origin))])
    error_message = "cors_origins: exact https origins only (https://play.example.com), never * or a path."
  }
}

variable "oidc_issuer" {
  description = "The players' OpenID Connect issuer (its /.well-known/openid-configuration is read by App Service Authentication)."
  type        = string
  default     = "https://login.example.com"
}

variable "oidc_client_id" {
  description = "The API's client id (audience) at the OpenID Connect provider."
  type        = string
  default     = "casino-api"
}
{% if cookiecutter.module_wallet %}
# The server callers (payment provider, game server{{ ", KYC provider" if cookiecutter.module_responsible_gaming }}) are Entra ID applications calling with
# client-credentials tokens of their own issuer, never the players' (as the AWS flavour's serverJwtIssuerUrl).
{%- set callers = ["game-server", "payment-provider"] + (["kyc-provider"] if cookiecutter.module_responsible_gaming else []) %}
{%- set told = ["payment-provider", "game-server"] + (["kyc-provider"] if cookiecutter.module_responsible_gaming else []) %}
{%- set roles = "wallet:credit" + (", players:kyc" if cookiecutter.module_responsible_gaming else "") %}
{%- elif cookiecutter.module_operator_wallet %}
# The server caller of the hybrid mode: the operator's platform, an Entra ID application calling the
# webhook with client-credentials tokens of the operator's tenant, never the players' (as the AWS
# flavour's platformJwtIssuerUrl).
{%- set callers = ["operator-platform"] %}
{%- set told = callers %}
{%- set roles = "platform:events" %}
{%- endif %}
{%- if callers is defined %}
variable "server_tenant_auth_endpoint" {
  description = "The Entra ID issuer of the server callers' tokens (https://login.microsoftonline.com/<tenant id>/v2.0): App Service Authentication validates their tokens against it."
  type        = string

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/v2\\.0/?$", var.server_tenant_auth_endpoint))
    error_message = "server_tenant_auth_endpoint: the tenant's v2.0 endpoint, https://login.microsoftonline.com/<tenant id>/v2.0 (az account show --query tenantId -o tsv)."
  }
}

variable "server_api_client_id" {
  description = "The client id of the API's Entra ID app registration the server callers ask tokens for (their audience, also as api://<client id>); its app roles are the routes' scopes ({{ roles }})."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.server_api_client_id))
    error_message = "server_api_client_id: the Application (client) ID of the API's app registration, a GUID (az ad app list --display-name <name> --query [].appId -o tsv)."
  }
}

variable "server_client_ids" {
  description = "Each server caller's Entra ID application (client) ids, comma-separated, by caller: App Service Authentication admits these applications only (their tokens' appid or azp), and the API lets each call its own routes only."
  type        = map(string)

  validation {
    condition     = sort(keys(var.server_client_ids)) == sort({{ callers | tojson }})
    error_message = "server_client_ids: give exactly these callers: {{ told | join(", ") }}."
  }

  validation {
    condition = alltrue([
      for ids in values(var.server_client_ids) : alltrue([
        for id in split(",", ids) : can(regex("^ *[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} *$", id))
      ])
    ])
    error_message = "server_client_ids: each caller's Application (client) IDs, GUIDs separated by commas (az ad app list --display-name <caller> --query [].appId -o tsv)."
  }
}
{% endif %}
{%- if cookiecutter.module_operator_wallet %}
variable "operator_wallet_url" {
  description = "The operator's seamless-wallet API the bonus-paying workers credit bonuses on (https only; adapters/operator_platform.py)."
  type        = string
  default     = "https://wallet.operator.example.com"

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$", var.operator_wallet_url))
    error_message = "operator_wallet_url: an https URL of the operator's wallet API (https://wallet.operator.example.com)."
  }
}
{% endif %}
variable "archive_lock_stages" {
  description = "Stages whose audit archive immutability policy is locked (write once, read many, for the jurisdiction's retention)."
  type        = list(string)
  default     = ["prod"]
}

variable "key_expiration_date" {
  description = "Expiry of the first version of each Key Vault key and secret (RFC 3339); the rotation policy makes the next versions."
  type        = string
  default     = "2028-12-31T00:00:00Z"
}

variable "python_version" {
  description = "The functions' Python runtime."
  type        = string
  default     = "{{ cookiecutter.python_version }}"
}
