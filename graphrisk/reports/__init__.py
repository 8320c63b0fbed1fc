"""Outputs: findings files, and (later) HTML dossiers and graph exports."""
