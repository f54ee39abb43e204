"""What each worker does with one event, whatever cloud delivered it (worker_events.BusEvent).

The AWS handlers (SQS batches) and the GCP entry points (Pub/Sub pushes, gcp/) both call these steps.
"""
