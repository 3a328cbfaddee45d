"""The dashboard screen and the dialogs pushed over it."""
