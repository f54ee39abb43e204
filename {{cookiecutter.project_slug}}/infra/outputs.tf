output "api_url" {
  description = "Where clients call the API: the API Gateway's URL (it checks their JWTs, then calls the API function)."
  value       = "https://${google_api_gateway_gateway.api.default_hostname}"
}

output "api_function" {
  description = "The API function's name (only the gateway's service account may invoke it)."
  value       = google_cloudfunctions2_function.api.name
}

output "firestore_database" {
  value = google_firestore_database.casino.name
}

output "audit_archive_bucket" {
  value = google_storage_bucket.audit_archive.name
}

output "event_topics" {
  value = local.topics
}
