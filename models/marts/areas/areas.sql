with

areas as (
    select * from {{ ref('int_areas_unioned') }}
),

venue_counts as (
    select
        area_set,
        area_id,
        count(*) as venue_count
    from {{ ref('area_venues') }}
    group by area_set, area_id
),

measured as (
    select
        areas.*,
        case
            when areas.geometry_kind = 'polygon' then areas.area_km2
            else pi() * pow({{ var('venue_radius_m') }}, 2) / 1e6
        end as sampled_km2,
        coalesce(venue_counts.venue_count, 0) as venue_count
    from areas
    left join venue_counts
        on
            areas.area_set = venue_counts.area_set
            and areas.area_id = venue_counts.area_id
)

select
    area_set,
    area_id,
    name,
    parent_name,
    geometry_kind,
    st_aswkb(geometry)::blob as geometry,
    st_aswkb(boundary)::blob as boundary,
    latitude,
    longitude,
    area_km2,
    sampled_km2,
    venue_count,
    venue_count / nullif(sampled_km2, 0) as venues_per_km2,
    source,
    is_postal
from measured
order by area_set, area_id
