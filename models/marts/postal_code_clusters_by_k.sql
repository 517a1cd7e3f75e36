-- The areas' clusters at each k of var cluster_comparison_ks (default 4, 5, 6), from the fits of
-- cluster_model_selection (same features, seed and ids as postal_code_clusters), to compare how
-- areas move between k.
select
    k,
    unnest(postal_codes) as postal_code,
    unnest(cluster_ids) as cluster_id,
    unnest(distances) as distance_to_centre
from {{ ref('cluster_model_selection') }}
where k in ({{ var('cluster_comparison_ks') | join(', ') }})
order by k, postal_code
