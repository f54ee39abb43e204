variable "project_id" {
  description = "The Google Cloud project to deploy to (one project per stage is Google's advice and ours)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter (e.g. lucky-star-prod)."
  }
}

variable "region" {
  description = "The region of every regional resource: functions, Firestore, keys, buckets, Pub/Sub storage."
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

variable "name_prefix" {
  description = "The first part of every resource name (the project slug, cut to fit Google's 63-character names)."
  type        = string
  default     = "{{ cookiecutter.project_slug[:24].rstrip('-') }}"
}

variable "alert_email" {
  description = "The e-mail address that receives the alert policies' notifications."
  type        = string
  default     = "{{ cookiecutter.alert_email }}"
}

variable "archive_lock_stages" {
  description = "Stages whose audit archive retention policy is locked (write once, read many, for the jurisdiction's retention)."
  type        = list(string)
  default     = ["prod"]
}

# The API's edge (gateway.tf): API Gateway checks each token's signature (the issuer's JWKS), issuer,
# audience and expiry before the API function is called. API Gateway takes one security definition per
# issuer, so the players' and the server callers' issuers must differ.
variable "player_jwt_issuer" {
  description = "The issuer (iss claim) of the players' tokens, exactly as the tokens carry it."
  type        = string
  default     = "https://auth.example.com/"

  validation {
    condition     = startswith(var.player_jwt_issuer, "https://")
    error_message = "player_jwt_issuer: give your identity provider's issuer URL, https://... as in the tokens' iss claim."
  }
}

variable "player_jwks_uri" {
  description = "Where the players' issuer publishes its signing keys (the jwks_uri of its OpenID configuration)."
  type        = string
  default     = "https://auth.example.com/.well-known/jwks.json"

  validation {
    condition     = startswith(var.player_jwks_uri, "https://")
    error_message = "player_jwks_uri: give the https:// URL of the issuer's JSON Web Key Set (jwks_uri in <issuer>/.well-known/openid-configuration)."
  }
}

variable "player_jwt_audiences" {
  description = "The audiences (aud claim) a player's token may carry; one of them is required."
  type        = list(string)
  default     = ["{{ cookiecutter.project_slug }}-api"]

  validation {
    condition     = length(var.player_jwt_audiences) > 0 && alltrue([for audience in var.player_jwt_audiences : trimspace(audience) != "" && !strcontains(audience, ",")])
    error_message = "player_jwt_audiences: name at least one audience, each without commas (the API's identifier at your identity provider)."
  }
}

variable "server_jwt_issuer" {
  description = "The issuer (iss claim) of the server callers' tokens; not the players' issuer (API Gateway takes one definition per issuer)."
  type        = string
  default     = "https://servers.auth.example.com/"

  validation {
    condition     = startswith(var.server_jwt_issuer, "https://")
    error_message = "server_jwt_issuer: give the server callers' issuer URL, https://... as in their tokens' iss claim."
  }
}

variable "server_jwks_uri" {
  description = "Where the server callers' issuer publishes its signing keys."
  type        = string
  default     = "https://servers.auth.example.com/.well-known/jwks.json"

  validation {
    condition     = startswith(var.server_jwks_uri, "https://")
    error_message = "server_jwks_uri: give the https:// URL of the server callers' issuer's JSON Web Key Set."
  }
}

variable "source_version" {
  description = "The version of the packaged function sources (the archives' object names end with it)."
  type        = string
  default     = "0"
}

variable "server_client_ids" {
  description = "The OAuth client ids each server caller's tokens carry (comma-separated), by caller: the gateway admits tokens whose aud is one of them, and the API lets each caller call its own routes only."
  type        = map(string)
  default = {
    payment-provider = "{{ cookiecutter.project_slug }}-payment-provider"
    game-server      = "{{ cookiecutter.project_slug }}-game-server"
    kyc-provider     = "{{ cookiecutter.project_slug }}-kyc-provider"
{%- if cookiecutter.module_operator_wallet %}

    operator-platform = "{{ cookiecutter.project_slug }}-operator-platform"
{%- endif %}
  }
}
{%- if cookiecutter.module_operator_wallet %}

# Hybrid mode (infra/modules/operator_wallet): the operator's platform calls the webhook with tokens of
# its own issuer (API Gateway takes one security definition per issuer, so not the players' one), and
# its wallet takes this project's signed bonus credits.
variable "platform_jwt_issuer" {
  description = "The issuer (iss claim) of the operator's platform's tokens on POST /platform/events; not the players' issuer."
  type        = string
  default     = "https://auth.example.com/operator-platform"

  validation {
    condition     = startswith(var.platform_jwt_issuer, "https://")
    error_message = "platform_jwt_issuer: give the operator platform's issuer URL, https://... as in its tokens' iss claim."
  }
}

variable "platform_jwks_uri" {
  description = "Where the operator platform's issuer publishes its signing keys."
  type        = string
  default     = "https://auth.example.com/operator-platform/.well-known/jwks.json"

  validation {
    condition     = startswith(var.platform_jwks_uri, "https://")
    error_message = "platform_jwks_uri: give the https:// URL of the operator platform's issuer's JSON Web Key Set."
  }
}

variable "operator_wallet_url" {
  description = "The operator's wallet API the bonus-paying workers credit bonuses on (signed HTTPS)."
  type        = string
  default     = "https://wallet.operator.example.com"

  validation {
    condition     = startswith(var.operator_wallet_url, "https://")
    error_message = "operator_wallet_url: give the https:// base URL of the operator's wallet API."
  }
}
{%- endif %}
