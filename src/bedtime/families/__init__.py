"""The families and their evening: the family file, changes, readers, preferences, and
the tick that finds each family's make time and bedtime. Imports core, records, providers."""
