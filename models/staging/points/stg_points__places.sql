with

latest_files as (
    {{ latest_load(source('points', 'place_point_files'), partition_by='source') }}
),

place_points as (
    select * from {{ source('points', 'place_points') }}
),

keyed as (
    select
        coalesce(
            nullif(trim(place_points.venue_id), ''),
            'md5:' || md5(concat_ws(
                '|',
                lower(trim(place_points.name)),
                lower(trim(place_points.category)),
                round(try_cast(place_points.latitude as double), 6),
                round(try_cast(place_points.longitude as double), 6)
            ))
        ) as venue_id,
        place_points.name as venue_name,
        place_points.category as category_name,
        try_cast(place_points.latitude as double) as latitude,
        try_cast(place_points.longitude as double) as longitude,
        coalesce(
            place_points.problem,
            case
                when try_cast(place_points.latitude as double) is null
                    or try_cast(place_points.longitude as double) is null then 'no coordinates'
            end
        ) as problem,
        place_points.source,
        place_points.row_number as file_row_number,
        place_points.load_id,
        latest_files.loaded_at
    from place_points
    inner join latest_files
        on
            place_points.load_id = latest_files.load_id
            and place_points.source = latest_files.source
)

select
    venue_id,
    venue_name,
    category_name,
    latitude,
    longitude,
    problem,
    source,
    file_row_number,
    count(*) over (partition by source, venue_id) as listed_count,
    'points' as provider,
    load_id,
    loaded_at
from keyed
qualify row_number() over (partition by source, venue_id order by file_row_number) = 1
