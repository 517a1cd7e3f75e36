-- The most common venue categories of each cluster, with each category's share of the
-- cluster's venues and its lift against all clustered areas.
with

clusters as (
    select
        postal_code,
        cluster_id
    from {{ ref('postal_code_clusters') }}
    where is_clustered
),

cluster_counts as (
    select
        clusters.cluster_id,
        counts.category,
        sum(counts.venue_count) as venue_count
    from {{ ref('postal_code_category_counts') }} as counts
    inner join clusters on counts.postal_code = clusters.postal_code
    group by clusters.cluster_id, counts.category
),

shares as (
    select
        cluster_id,
        category,
        venue_count,
        venue_count / sum(venue_count) over (partition by cluster_id) as cluster_share,
        sum(venue_count) over (partition by category) / sum(venue_count) over () as overall_share
    from cluster_counts
)

select
    cluster_id,
    category,
    venue_count,
    round(cluster_share, 3) as cluster_share,
    round(cluster_share / overall_share, 2) as lift
from shares
qualify row_number() over (partition by cluster_id order by venue_count desc, category asc) <= 10
order by cluster_id asc, venue_count desc, category asc
