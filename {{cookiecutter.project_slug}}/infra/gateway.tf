# The API's edge: API Gateway checks each caller's JWT before the API function is called (the AWS
# flavour's HTTP API JWT authorizers). Its config is infra/gateway/openapi.yaml.tftpl: every route of the
# app with the token it takes. The gateway calls the function with an ID token of its own service
# account, the function's only invoker. Only google-beta has the API Gateway resources.

resource "google_service_account" "gateway" {
  project      = var.project_id
  account_id   = "api-gateway-${var.stage}"
  display_name = "API Gateway"
  description  = "The API Gateway's identity: the only member that may invoke the API function."
}

resource "google_api_gateway_api" "api" {
  provider = google-beta

  project      = var.project_id
  api_id       = "${local.prefix}-api"
  display_name = "${local.prefix} player API"

  depends_on = [google_project_service.apis]
}

# API Gateway serves an API through a managed service of its own, which must be enabled in the project.
resource "google_project_service" "gateway_managed_service" {
  project            = var.project_id
  service            = google_api_gateway_api.api.managed_service
  disable_on_destroy = false
}

locals {
  # Every client id of every server caller: the gateway admits these audiences on the server routes;
  # the app then lets each caller call its own routes only.
  server_audiences = distinct(flatten([
    for ids in values(var.server_client_ids) : [for id in split(",", ids) : trimspace(id) if trimspace(id) != ""]
  ]))
  gateway_openapi = templatefile("${path.module}/gateway/openapi.yaml.tftpl", {
    backend_url      = google_cloudfunctions2_function.api.service_config[0].uri
    player_issuer    = var.player_jwt_issuer
    player_jwks_uri  = var.player_jwks_uri
    player_audiences = join(",", var.player_jwt_audiences)
    server_issuer    = var.server_jwt_issuer
    server_jwks_uri  = var.server_jwks_uri
    server_audiences = join(",", local.server_audiences)
{%- if cookiecutter.module_operator_wallet %}
    # The webhook's own definition (hybrid mode): the operator platform's issuer and client ids only.
    platform_issuer    = var.platform_jwt_issuer
    platform_jwks_uri  = var.platform_jwks_uri
    platform_audiences = var.server_client_ids["operator-platform"]
{%- endif %}
  })
}

resource "google_api_gateway_api_config" "api" {
  provider = google-beta

  project              = var.project_id
  api                  = google_api_gateway_api.api.api_id
  api_config_id_prefix = "${local.prefix}-"
  display_name         = "${local.prefix} player API"

  openapi_documents {
    document {
      path     = "openapi.yaml"
      contents = base64encode(local.gateway_openapi)
    }
  }

  gateway_config {
    backend_config {
      google_service_account = google_service_account.gateway.email
    }
  }

  # A config cannot change in place: the new one is made before the gateway leaves the old one.
  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.player_jwt_issuer != var.server_jwt_issuer
      error_message = "server_jwt_issuer: API Gateway takes one security definition per issuer; give the server callers an issuer of their own, not player_jwt_issuer."
    }
{%- if cookiecutter.module_operator_wallet %}

    precondition {
      condition     = !contains([var.player_jwt_issuer, var.server_jwt_issuer], var.platform_jwt_issuer)
      error_message = "platform_jwt_issuer: API Gateway takes one security definition per issuer; give the operator's platform an issuer of its own, not player_jwt_issuer or server_jwt_issuer."
    }
{%- endif %}
  }
}

resource "google_api_gateway_gateway" "api" {
  provider = google-beta

  project      = var.project_id
  region       = var.region
  gateway_id   = "${local.prefix}-api"
  display_name = "${local.prefix} player API"
  api_config   = google_api_gateway_api_config.api.id

  depends_on = [google_project_service.gateway_managed_service]
}

# The gateway's account is the API function's only invoker: its URL refuses every other caller.
resource "google_cloud_run_v2_service_iam_member" "api_gateway_invokes" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.api.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.gateway.email}"
}
