output "api_function" {
  description = "The API function's name (its load balancer's serverless NEG points at it)."
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
