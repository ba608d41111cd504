"""The central exchange hub (e-CMS 2.0): a Django project with its own database."""
