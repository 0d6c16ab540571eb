from ckanext.consultation.tests.actors import call, open_consultation, people  # noqa: F401
