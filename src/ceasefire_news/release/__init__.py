"""The release stage: rows, splits, the NER view, statistics, the dataset card, Croissant and the build itself."""
