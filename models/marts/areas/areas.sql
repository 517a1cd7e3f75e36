-- The area hub: one row per area of every set (the postal set and each area file's set), with its
-- geometry, centre, size and how many venues it has. Every later model joins on (area_set,
-- area_id); names repeat (New York has four neighbourhood names twice).
--   * area_km2: a polygon's area on the spheroid (for a postal area, its boundary polygon's);
--   * sampled_km2: the ground its venues were counted on: the polygon for a polygon area, the
--     circle of var venue_radius_m for a point area;
--   * venues_per_km2 = venue_count / sampled_km2.
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
