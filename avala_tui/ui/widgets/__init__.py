"""The dashboard's widgets; the compound ones own their workers."""
