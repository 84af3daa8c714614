"""Each family's one email a night, at bedtime. Imports the steps below it (core, records,
providers, families, writing, media), never the site."""
