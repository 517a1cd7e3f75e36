-- How areas move between k (var cluster_comparison_ks, default 4, 5, 6): one row per path of
-- clusters an area takes as k grows, with the areas that take it.
with

by_k as (
    select
        postal_code,
        'cluster_at_k' || lpad(cast(k as varchar), 2, '0') as k_column,
        cluster_id
    from {{ ref('postal_code_clusters_by_k') }}
),

wide as (
    pivot by_k on k_column using first(cluster_id)
    group by postal_code
)

select
    columns(column_name -> column_name like 'cluster_at_k%'),
    count(*) as postal_code_count,
    list(postal_code order by postal_code) as postal_codes
from wide
group by all
order by postal_code_count desc, postal_codes asc
