"""The annotation stage: annotation files, their validation, re-anchoring and importers from annotation tools."""
