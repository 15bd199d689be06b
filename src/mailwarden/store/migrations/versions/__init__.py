"""Named schema revisions, oldest first."""
