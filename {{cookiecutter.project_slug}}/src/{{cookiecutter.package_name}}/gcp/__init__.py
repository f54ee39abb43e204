"""The Cloud Run functions' entry points: `gcp/<target>.py` holds the functions-framework target
`<target>`, the `entry_point` infra/ names. The project's main.py finds a target here by its name and
imports only that file, so each function's cold start loads its own code alone."""
