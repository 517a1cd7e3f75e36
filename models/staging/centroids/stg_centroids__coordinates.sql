-- The rows of the latest coordinates file, cast to numbers; the text is kept beside them.
with

latest_file as (
    {{ latest_load(source('centroids', 'coordinate_files')) }}
),

coordinates as (
    select * from {{ source('centroids', 'coordinates') }}
)

select
    coordinates.row_number as file_row_number,
    upper(trim(coordinates.postal_code)) as postal_code,
    try_cast(trim(coordinates.latitude) as double) as latitude,
    try_cast(trim(coordinates.longitude) as double) as longitude,
    coordinates.latitude as latitude_text,
    coordinates.longitude as longitude_text,
    coordinates.place_name,
    latest_file.provider,
    coordinates.load_id
from coordinates
inner join latest_file on coordinates.load_id = latest_file.load_id
