-- One row per cluster of the chosen area set and venue category found in it: venues, areas, the
-- category's share of the cluster's venues against its share of all clustered areas' venues
-- (lift), and its rank by distinctiveness. A category ranks first if it has at least 2 venues in at
-- least 2 of the cluster's areas (1 for a one-area cluster), so that one odd area does not name its
-- cluster; then by lift; ties go to the more common category, then to the name.
with

clusters as (
    select
        area_set,
        area_id,
        cluster_id
    from {{ ref('area_clusters') }}
    where cluster_id is not null
),

cluster_sizes as (
    select
        cluster_id,
        count(*) as cluster_area_count
    from clusters
    group by cluster_id
),

counts as (
    select
        clusters.area_set,
        clusters.cluster_id,
        category_counts.category,
        sum(category_counts.venue_count)::bigint as venue_count,
        count(*) as area_count
    from {{ ref('area_category_counts') }} as category_counts
    inner join clusters
        on
            category_counts.area_set = clusters.area_set
            and category_counts.area_id = clusters.area_id
    group by clusters.area_set, clusters.cluster_id, category_counts.category
),

shares as (
    select
        counts.area_set,
        counts.cluster_id,
        counts.category,
        counts.venue_count,
        counts.area_count,
        counts.venue_count >= 2
        and counts.area_count >= least(2, cluster_sizes.cluster_area_count) as is_widespread,
        counts.venue_count / sum(counts.venue_count) over (partition by counts.cluster_id) as cluster_share,
        sum(counts.venue_count) over (partition by counts.category)
        / sum(counts.venue_count) over () as overall_share
    from counts
    inner join cluster_sizes on counts.cluster_id = cluster_sizes.cluster_id
)

select
    area_set,
    cluster_id,
    category,
    venue_count,
    area_count,
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
