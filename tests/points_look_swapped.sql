{{ config(severity='warn') }}
-- Places of a points file that lie outside every area set but inside one with latitude and longitude
-- swapped (macro looks_swapped; `ingest points` says so too). One row per file: how many, and one
-- of them.
with

extents as (
    select
        area_set,
        min(st_xmin(geometry)) as west,
        min(st_ymin(geometry)) as south,
        max(st_xmax(geometry)) as east,
        max(st_ymax(geometry)) as north
    from {{ ref('int_areas_unioned') }}
    group by area_set
),

places as (
    select
        source,
        venue_name,
        latitude,
        longitude
    from {{ ref('stg_points__places') }}
    where problem is null
)

select
    places.source,
    count(*) as swapped_places,
    min(places.venue_name) as for_example
from places
where {{ looks_swapped('places.latitude', 'places.longitude', 'extents') }}
group by places.source
