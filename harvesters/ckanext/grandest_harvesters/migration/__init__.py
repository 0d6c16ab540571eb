"""Alembic migrations of the grandest_harvest plugin: ckan db upgrade -p grandest_harvest"""
