"""Partnership pages (issue 5; who sees and does what is ADR 0011).

- :mod:`.structures`: the structures by tier, a structure's page, and the forms for
  structures, memberships and meetings;
- :mod:`.reports`: the connectedness view (and its CSV) and the impact report;
- :mod:`.credits`: credits accounts, statements, exchanges, and traded services;
- :mod:`.network`: the LA's partnership graph from its rows (for the connectedness view);
- :mod:`.common`: what they share.
"""
