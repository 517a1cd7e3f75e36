with

areas as (
    select * from {{ ref('int_areas_unioned') }}
),

corners as (
    select
        area_set,
        area_id,
        geometry_kind,
        latitude,
        longitude,
        st_xmin(geometry) as west,
        st_xmax(geometry) as east,
        st_ymin(geometry) as south,
        st_ymax(geometry) as north
    from areas
),

reach as (
    select
        *,
        greatest(
            {{ haversine_m('latitude', 'longitude', 'south', 'west') }},
            {{ haversine_m('latitude', 'longitude', 'south', 'east') }},
            {{ haversine_m('latitude', 'longitude', 'north', 'west') }},
            {{ haversine_m('latitude', 'longitude', 'north', 'east') }}
        ) as farthest_corner_m
    from corners
)

select
    area_set,
    area_id,
    geometry_kind,
    latitude,
    longitude,
    case
        when geometry_kind = 'point' then {{ var('venue_radius_m') }}
        else ceil(farthest_corner_m)::integer
    end as radius_m
from reach
order by area_set, area_id
