with

areas as (
    select * from {{ ref('areas') }}
    where area_set in (select chosen.area_set from {{ ref('cluster_settings') }} as chosen)
),

clusters as (
    select * from {{ ref('area_clusters') }}
),

profiles as (
    select * from {{ ref('cluster_profiles') }}
),

top_categories as (
    select
        area_set,
        area_id,
        string_agg(category || ' (' || venue_count || ')', ', ' order by category_rank) as top_categories
    from {{ ref('area_top_categories') }}
    where category_rank <= 5
    group by area_set, area_id
)

select
    areas.area_set,
    areas.area_id,
    areas.name,
    areas.parent_name,
    areas.latitude,
    areas.longitude,
    areas.venue_count,
    areas.venue_count > 0 as has_venues,
    clusters.cluster_id,
    case when clusters.cluster_id is not null then profiles.display_label else clusters.status_label end
        as cluster_label,
    clusters.status,
    clusters.status_label,
    clusters.status_reason,
    clusters.is_sparse,
    clusters.assignment_confidence,
    top_categories.top_categories,
    st_asgeojson(st_geomfromwkb(areas.boundary)) as boundary_geojson
from areas
left join clusters
    on
        areas.area_set = clusters.area_set
        and areas.area_id = clusters.area_id
left join profiles on clusters.cluster_id = profiles.cluster_id
left join top_categories
    on
        areas.area_set = top_categories.area_set
        and areas.area_id = top_categories.area_id
order by areas.area_id
