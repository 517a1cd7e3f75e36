-- The ten most common venue categories of each cluster, with each category's share of the
-- cluster's venues and its lift against all clustered areas.
select
    cluster_id,
    feature,
    venue_count,
    area_count,
    round(cluster_share, 3) as cluster_share,
    round(lift, 2) as lift
from {{ ref('cluster_categories') }}
qualify row_number() over (partition by cluster_id order by venue_count desc, feature asc) <= 10
order by cluster_id asc, venue_count desc, feature asc
