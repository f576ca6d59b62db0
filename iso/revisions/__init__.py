"""The controlled-document lifecycle every kind of revision shares: draft → in_review → approved →
effective → superseded; in_review → draft (returned with a comment); effective → withdrawn.

A concrete revision model (a procedure's, the QMS scope's, the quality policy's) inherits
:class:`iso.revisions.models.ControlledRevision`, names the foreign key to its document, and adds
its own content; the services, selectors, forms, views and templates here serve all of them.
"""
