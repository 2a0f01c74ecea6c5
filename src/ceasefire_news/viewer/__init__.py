"""See the annotations: one standalone HTML page per document (`render`) and a static site for a release (`site`).

The viewer sits at the top of the package: it reads a built release's rows, one document straight from the
repository through the release's row code, or a raw page through the text stage (`inputs`). Nothing below
it imports it.
"""
