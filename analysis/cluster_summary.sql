-- One row per cluster: size, venues, label and members; and the areas left out (no venues).
select
    cast(cluster_id as varchar) as cluster_name,
    postal_code_count,
    venue_count,
    label,
    array_to_string(postal_codes, ', ') as postal_codes
from {{ ref('cluster_profiles') }}
union all
select
    'none (no venues)' as cluster_name,
    count(*) as postal_code_count,
    0 as venue_count,
    null as label,
    string_agg(postal_code, ', ' order by postal_code) as postal_codes
from {{ ref('postal_code_clusters') }}
where not is_clustered
having count(*) > 0
