"""Forms of the brokerage pages, one module a page family. They read what was typed;
the services in :mod:`convenor.brokerage.services` check it, and the views show their
``ValidationError`` beside the fields (field names are the services' argument names)."""
