// Temporary anchor so a library whose folder has no sources yet still configures (removed once all land).
