"""boekstuk: the shared layer of the document-processing back office.

Layering (outer depends on inner, never the reverse):
``domain`` (pure) <- ``services`` (use cases, talk to ``ports``) <- ``adapters`` (AWS, packages, OCR)
<- ``bootstrap`` (composition root) <- ``api`` and the Lambda handlers in ``functions/``.
"""

__version__ = "0.1.0"
