-- One row per cluster and venue category found in it: venues, areas, the category's share of the
-- cluster's venues against its share of all clustered areas' venues (lift), and its rank by
-- distinctiveness. A category ranks first if it has at least 2 venues in at least 2 of the
-- cluster's areas (1 for a one-area cluster), so that one odd area does not name its cluster; then
-- by lift; ties go to the more common category, then to the name.
with

clusters as (
    select
        postal_code,
        cluster_id
    from {{ ref('postal_code_clusters') }}
    where cluster_id is not null
),

cluster_sizes as (
    select
        cluster_id,
        count(*) as cluster_postal_code_count
    from clusters
    group by cluster_id
),

counts as (
    select
        clusters.cluster_id,
        category_counts.category,
        sum(category_counts.venue_count)::bigint as venue_count,
        count(*) as postal_code_count
    from {{ ref('postal_code_category_counts') }} as category_counts
    inner join clusters on category_counts.postal_code = clusters.postal_code
    group by clusters.cluster_id, category_counts.category
),

shares as (
    select
        counts.cluster_id,
        counts.category,
        counts.venue_count,
        counts.postal_code_count,
        counts.venue_count >= 2
        and counts.postal_code_count >= least(2, cluster_sizes.cluster_postal_code_count) as is_widespread,
        counts.venue_count / sum(counts.venue_count) over (partition by counts.cluster_id) as cluster_share,
        sum(counts.venue_count) over (partition by counts.category)
        / sum(counts.venue_count) over () as overall_share
    from counts
    inner join cluster_sizes on counts.cluster_id = cluster_sizes.cluster_id
)

select
    cluster_id,
    category,
    venue_count,
    postal_code_count,
    cluster_share,
    overall_share,
    cluster_share / overall_share as lift,
    is_widespread,
    row_number() over (
        partition by cluster_id
        order by is_widespread desc, cluster_share / overall_share desc, venue_count desc, category asc
    ) as distinctiveness_rank
from shares
order by cluster_id, distinctiveness_rank
