-- One row per area as the map shows it: names, centre, cluster and its label, the top 5 venue
-- categories, and the boundary polygon where the boundary file has the area.
with

areas as (
    select * from {{ ref('postal_codes') }}
),

clusters as (
    select * from {{ ref('postal_code_clusters') }}
),

profiles as (
    select * from {{ ref('cluster_profiles') }}
),

top_venues as (
    select
        postal_code,
        string_agg(category || ' (' || venue_count || ')', ', ' order by venue_rank) as top_venues
    from {{ ref('postal_code_top_venues') }}
    where venue_rank <= 5
    group by postal_code
),

boundaries as (
    select * from {{ ref('stg_boundaries__fsa_polygons') }}
)

select
    areas.postal_code,
    areas.borough,
    areas.neighbourhood,
    areas.latitude,
    areas.longitude,
    areas.venue_count,
    areas.has_venues,
    clusters.cluster_id,
    case
        when clusters.cluster_id is not null then profiles.display_label
        when not areas.has_venues then 'No venues'
        else 'Not clustered'
    end as cluster_label,
    top_venues.top_venues,
    boundaries.geometry as boundary_geometry
from areas
left join clusters on areas.postal_code = clusters.postal_code
left join profiles on clusters.cluster_id = profiles.cluster_id
left join top_venues on areas.postal_code = top_venues.postal_code
left join boundaries on areas.postal_code = boundaries.postal_code
order by areas.postal_code
