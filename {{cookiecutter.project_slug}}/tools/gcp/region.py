"""The GCP flavour's region: infra/variables.tf and the cloud's regions (tools/terraform_region.py)."""

from __future__ import annotations

from tools.terraform_region import CONFIG, known, read

__all__ = ["CONFIG", "EXAMPLE", "KNOWN_AS", "known", "read"]

KNOWN_AS = "a GCP region with Cloud Run functions and Firestore"
EXAMPLE = "europe-west1"
