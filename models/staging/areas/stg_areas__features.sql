with

latest_files as (
    {{ latest_load(source('areas', 'area_files'), partition_by='area_set') }}
),

features as (
    select * from {{ source('areas', 'area_features') }}
),

shaped as (
    select
        features.area_set,
        features.area_id,
        features.name,
        features.parent_name,
        st_geomfromwkb(features.geometry) as geometry,
        features.was_repaired,
        features.feature_number,
        latest_files.source,
        features.load_id
    from features
    inner join latest_files on features.load_id = latest_files.load_id
)

select
    area_set,
    area_id,
    name,
    parent_name,
    case when st_geometrytype(geometry)::varchar = 'POINT' then 'point' else 'polygon' end as geometry_kind,
    geometry,
    st_y(st_centroid(geometry)) as latitude,
    st_x(st_centroid(geometry)) as longitude,
    case
        when st_geometrytype(geometry)::varchar <> 'POINT' then st_area_spheroid(st_flipcoordinates(geometry)) / 1e6
    end as area_km2,
    was_repaired,
    feature_number,
    source,
    load_id
from shaped
