"""The story's picture and narration: painted, spoken, stored in S3, and the StoryReady
announcement once both are done. Imports core, records, providers, families, writing."""
