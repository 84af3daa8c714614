"""Writing tonight's story: pick characters and a scene, ask a writer, check and keep the
draft, remember it in the canon. Imports core, records, providers, families."""
