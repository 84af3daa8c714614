"""Providers that need no network and no key: real output made on this machine."""
