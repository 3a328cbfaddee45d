"""Settings, remembered state and where their files live. Imports no Textual."""
