select
    selection.area_set,
    selection.k,
    unnest(selection.area_ids) as area_id,
    unnest(selection.cluster_ids) as cluster_id,
    unnest(selection.distances) as distance_to_centre
from {{ ref('cluster_model_selection') }} as selection
inner join {{ ref('cluster_settings') }} as settings on selection.method = settings.method  -- noqa: RF04
where selection.k in ({{ var('cluster_comparison_ks') | join(', ') }})
order by selection.k, area_id
