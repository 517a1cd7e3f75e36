-- The chosen set's areas' clusters at each k of var cluster_comparison_ks (default 4, 5, 6), from
-- the fits of cluster_model_selection (same features, seed and ids as area_clusters), to compare
-- how areas move between k.
select
    area_set,
    k,
    unnest(area_ids) as area_id,
    unnest(cluster_ids) as cluster_id,
    unnest(distances) as distance_to_centre
from {{ ref('cluster_model_selection') }}
where k in ({{ var('cluster_comparison_ks') | join(', ') }})
order by k, area_id
