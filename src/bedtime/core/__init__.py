"""The shared core: settings, the clock, AWS clients, logging, our events, idempotency,
signed tokens and call budgets. It imports nothing else of bedtime's."""
