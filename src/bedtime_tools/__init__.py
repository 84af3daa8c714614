"""Commands for a laptop (`make story`, `make seed`, `make smoke`, the deploy checks):
they talk to a running `make run` or to a deployed stack, and never ship to Lambda."""
