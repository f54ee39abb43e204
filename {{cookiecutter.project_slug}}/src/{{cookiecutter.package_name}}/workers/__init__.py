"""What the workers do with an event, on every cloud: each cloud's entry points (handlers/ on AWS,
azure_apps/ on Azure) read their queue's message into a BusEvent and call these."""
