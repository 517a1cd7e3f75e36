"""The benchmark (`make bench`): the project against the seed notebook's pandas approach and a
vectorised pandas version, on the same rows, at several sizes; and the live fetcher against a plain
sequential loop. Not part of the product."""
