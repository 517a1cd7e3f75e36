"""Named errors. Each message says what was expected and what the user can do about it."""


class IngestError(Exception):
    """Base class: the CLI prints the message and exits non-zero."""


class NetworkUnavailableError(IngestError):
    """A live source could not be reached at all."""


class FetchError(IngestError):
    """A live source answered, but not with something usable."""


class FetchTimeoutError(FetchError):
    """A live source did not answer in time, however often it was asked."""


class WikipediaPageError(IngestError):
    """The Wikipedia page could not be turned into postal-code rows."""


class UnrecognisedLayoutError(WikipediaPageError):
    """No table on the page matches a layout the parser knows."""


class DamagedTextError(WikipediaPageError):
    """The page's cells hold replacement characters: its text was mangled before it reached us."""


class IncompletePageError(WikipediaPageError):
    """A known layout was found, but with too few postal codes to be the whole list."""


class CoordinatesFormatError(IngestError):
    """A coordinates file is not in a shape the provider knows."""


class SnapshotError(IngestError):
    """A snapshot folder is missing, incomplete or inconsistent."""


class VenueFetchFailed(IngestError):
    """Some areas' venues could not be fetched or replayed; the message lists them."""


class Interrupted(IngestError):
    """The user pressed Ctrl-C; the message says what was done before."""


class WarehouseInUseError(IngestError):
    """Another process holds the DuckDB file."""
