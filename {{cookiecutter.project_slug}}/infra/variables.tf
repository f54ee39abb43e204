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

variable "api_invokers" {
  description = "Members allowed to invoke the API function (the edge's identity); never allUsers."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.api_invokers, "allUsers") && !contains(var.api_invokers, "allAuthenticatedUsers")
    error_message = "api_invokers: allUsers and allAuthenticatedUsers would let anyone call the API function directly; name the edge's service account."
  }
}

variable "source_version" {
  description = "The version of the packaged function sources (the archives' object names end with it)."
  type        = string
  default     = "0"
}

variable "server_client_ids" {
  description = "The OAuth client ids each server caller's tokens carry (comma-separated), by caller; the API checks them with the caller's signature."
  type        = map(string)
  default = {
    payment-provider = "{{ cookiecutter.project_slug }}-payment-provider"
    game-server      = "{{ cookiecutter.project_slug }}-game-server"
    kyc-provider     = "{{ cookiecutter.project_slug }}-kyc-provider"
  }
}
