"""Answering residents: the desk over a knowledge snapshot, the reply cards, the public
pages as data, and residents' votes on answers."""
