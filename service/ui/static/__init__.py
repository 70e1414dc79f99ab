"""CSS and JavaScript of the UI (a package only so that a non-editable install ships them)."""
