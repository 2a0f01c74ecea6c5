"""The text stage: normalise, segment, detect boilerplate and captions, and the clean-body view. Pure functions over text."""
