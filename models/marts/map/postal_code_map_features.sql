-- The postal set's view of area_map_features, with the postal names (empty when var area_set
-- chooses another set).
{{ config(materialized='view') }}
select
    area_id as postal_code,
    parent_name as borough,
    name as neighbourhood,
    latitude,
    longitude,
    venue_count,
    has_venues,
    cluster_id,
    cluster_label,
    top_categories as top_venues,
    boundary_geojson as boundary_geometry
from {{ ref('area_map_features') }}
where area_set in (select centres.area_set from {{ ref('postal_code_centres') }} as centres)
