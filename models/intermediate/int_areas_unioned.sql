with

postal as (
    select * from {{ ref('int_postal_codes_located') }}
    where is_on_page
),

postal_boundaries as (
    select * from {{ ref('stg_boundaries__fsa_polygons') }}
),

file_areas as (
    select * from {{ ref('stg_areas__features') }}
)

select
    postal.area_set,
    postal.postal_code as area_id,
    postal.neighbourhood as name,
    postal.borough as parent_name,
    'point' as geometry_kind,
    st_point(postal.longitude, postal.latitude) as geometry,
    postal_boundaries.shape as boundary,
    postal.latitude,
    postal.longitude,
    st_area_spheroid(st_flipcoordinates(postal_boundaries.shape)) / 1e6 as area_km2,
    postal.page_source as source,
    true as is_postal
from postal
left join postal_boundaries on postal.postal_code = postal_boundaries.postal_code
union all
select
    area_set,
    area_id,
    name,
    parent_name,
    geometry_kind,
    geometry,
    case when geometry_kind = 'polygon' then geometry end as boundary,
    latitude,
    longitude,
    area_km2,
    source,
    false as is_postal
from file_areas
