-- One row per cluster of the chosen area set: size, venues, label and members; and one row per
-- reason areas have no cluster (no venues, too few venues).
select
    area_set,
    cast(cluster_id as varchar) as cluster_name,
    area_count,
    venue_count,
    label,
    array_to_string(area_ids, ', ') as area_ids
from {{ ref('cluster_profiles') }}
union all
select
    any_value(area_set) as area_set,
    'none (' || status || ')' as cluster_name,
    count(*) as area_count,
    0 as venue_count,
    null as label,
    string_agg(area_id, ', ' order by area_id) as area_ids
from {{ ref('area_clusters') }}
where not is_clustered
group by status
