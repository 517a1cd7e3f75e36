-- The places of the latest points load, coordinates cast to numbers.
with

point_files as (
    select * from {{ source('points', 'place_point_files') }}
),

latest_load as (
    select load_id
    from point_files
    order by loaded_at desc, load_id desc
    limit 1
),

latest_files as (
    -- Every file of the latest load (a load may land several files).
    select point_files.*
    from point_files
    inner join latest_load on point_files.load_id = latest_load.load_id
),

place_points as (
    select * from {{ source('points', 'place_points') }}
)

select
    coalesce(place_points.venue_id, place_points.source || '#' || place_points.row_number) as venue_id,
    place_points.name as venue_name,
    place_points.category as category_name,
    try_cast(place_points.latitude as double) as latitude,
    try_cast(place_points.longitude as double) as longitude,
    place_points.source,
    place_points.row_number as file_row_number,
    'points' as provider,
    place_points.load_id,
    latest_files.loaded_at
from place_points
inner join latest_files
    on
        place_points.load_id = latest_files.load_id
        and place_points.source = latest_files.source
