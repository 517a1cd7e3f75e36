-- How the chosen set's areas move between k (var cluster_comparison_ks, default 4, 5, 6): one row
-- per path of clusters an area takes as k grows, with the areas that take it.
with

by_k as (
    select
        area_id,
        'cluster_at_k' || lpad(cast(k as varchar), 2, '0') as k_column,
        cluster_id
    from {{ ref('area_clusters_by_k') }}
),

wide as (
    pivot by_k on k_column using first(cluster_id)
    group by area_id
)

select
    columns(column_name -> column_name like 'cluster_at_k%'),
    count(*) as area_count,
    list(area_id order by area_id) as area_ids
from wide
group by all
order by area_count desc, area_ids asc
