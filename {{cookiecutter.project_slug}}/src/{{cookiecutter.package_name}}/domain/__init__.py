"""Pure casino logic: no cloud SDKs, no I/O; adapters are passed in through the ports."""
