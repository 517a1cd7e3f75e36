-- The postal set's view of area_clusters, keyed by postal code (empty when var area_set chooses
-- another set).
{{ config(materialized='view') }}
select
    area_id as postal_code,
    cluster_id,
    distance_to_centre,
    assignment_confidence,
    is_clustered,
    is_sparse,
    status,
    n_clusters,
    feature_level,
    features,
    (select any_value(selection.feature_count) from {{ ref('cluster_model_selection') }} as selection) as feature_count
from {{ ref('area_clusters') }}
where area_set in (select centres.area_set from {{ ref('postal_code_centres') }} as centres)
