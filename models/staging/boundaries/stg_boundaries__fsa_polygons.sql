with

latest_file as (
    {{ latest_load(source('boundaries', 'boundary_files')) }}
),

features as (
    select * from {{ source('boundaries', 'boundary_features') }}
)

select
    upper(trim(features.postal_code)) as postal_code,
    features.geometry,
    st_geomfromgeojson(features.geometry) as shape,
    features.geometry ->> 'type' as geometry_type,
    features.feature_number,
    features.load_id
from features
inner join latest_file on features.load_id = latest_file.load_id
