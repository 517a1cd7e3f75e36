{% macro looks_swapped(latitude, longitude, extents) %}
    {#- A place outside every extent (west, south, east, north) of `extents` but inside one with its
        latitude and longitude swapped: its file's fields were read the wrong way round. Plain SQL:
        `ingest points` renders it too (ingest/points.py). -#}
    not exists (
        select 1 from {{ extents }} as extent
        where
            {{ longitude }} between extent.west and extent.east
            and {{ latitude }} between extent.south and extent.north
    )
    and exists (
        select 1 from {{ extents }} as extent
        where
            {{ latitude }} between extent.west and extent.east
            and {{ longitude }} between extent.south and extent.north
    )
{% endmacro %}
