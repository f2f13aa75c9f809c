"""Reading a contributed collection folder: collection.yaml, items, IIIF, the schema, takedowns."""
