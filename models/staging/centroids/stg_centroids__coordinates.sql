with

latest_file as (
    {{ latest_load(source('centroids', 'coordinate_files')) }}
),

coordinates as (
    select * from {{ source('centroids', 'coordinates') }}
)

select
    coordinates.row_number as file_row_number,
    -- Upper-cased, spaces collapsed; a full Canadian postal code gets its usual space (M5A1A1 -> M5A 1A1).
    regexp_replace(
        regexp_replace(upper(trim(coordinates.postal_code)), '\s+', ' ', 'g'),
        '^([A-Z][0-9][A-Z]) ?([0-9][A-Z][0-9])$', '\1 \2'
    ) as postal_code,
    try_cast(trim(coordinates.latitude) as double) as latitude,
    try_cast(trim(coordinates.longitude) as double) as longitude,
    coordinates.latitude as latitude_text,
    coordinates.longitude as longitude_text,
    coordinates.place_name,
    latest_file.provider,
    coordinates.load_id
from coordinates
inner join latest_file on coordinates.load_id = latest_file.load_id
