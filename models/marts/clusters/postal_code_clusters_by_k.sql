-- The postal set's view of area_clusters_by_k, keyed by postal code.
{{ config(materialized='view') }}
select
    k,
    area_id as postal_code,
    cluster_id,
    distance_to_centre
from {{ ref('area_clusters_by_k') }}
where area_set in (select centres.area_set from {{ ref('postal_code_centres') }} as centres)
