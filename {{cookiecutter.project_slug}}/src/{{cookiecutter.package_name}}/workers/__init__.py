"""What each worker does with one event, whatever cloud delivered it (worker_events.BusEvent).

The AWS handlers (SQS batches), the GCP entry points (Pub/Sub pushes, gcp/) and the Azure apps (queue
messages, azure_apps/) call these steps; the scheduled jobs' and the daily report's runs are here too
(jobs.py, ledger_jobs.py, daily_report.py), so an AWS schedule and an Azure timer run the same code.
"""
