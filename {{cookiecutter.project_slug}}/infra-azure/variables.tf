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

variable "api_signed_paths" {
  description = "API paths whose callers are servers that sign each request (the app checks the signature), so App Service Authentication lets them through without a player's token."
  type        = list(string)
  default     = ["/wallet/deposits"]
}

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
