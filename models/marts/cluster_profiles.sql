-- One row per cluster: its size and members, the categories most over-represented in it against
-- the share of all clustered areas (lift), and a short label built from the top three.
-- A category counts as distinctive first if it has at least 2 venues in at least 2 of the
-- cluster's areas (1 for a one-area cluster), so that one odd area does not name its cluster;
-- then by lift; ties go to the more common category, then to the name.
with

clusters as (
    select
        postal_code,
        cluster_id
    from {{ ref('postal_code_clusters') }}
    where cluster_id is not null
),

counts as (
    select * from {{ ref('postal_code_category_counts') }}
),

members as (
    select
        cluster_id,
        count(*) as postal_code_count,
        list(postal_code order by postal_code) as postal_codes
    from clusters
    group by cluster_id
),

cluster_categories as (
    select
        clusters.cluster_id,
        counts.category,
        sum(counts.venue_count) as venue_count,
        count(*) as postal_code_count
    from counts
    inner join clusters on counts.postal_code = clusters.postal_code
    group by clusters.cluster_id, counts.category
),

shares as (
    select
        cluster_categories.cluster_id,
        cluster_categories.category,
        cluster_categories.venue_count,
        cluster_categories.venue_count >= 2
        and cluster_categories.postal_code_count >= least(2, members.postal_code_count) as is_widespread,
        cluster_categories.venue_count
        / sum(cluster_categories.venue_count) over (partition by cluster_categories.cluster_id)
            as cluster_share,
        sum(cluster_categories.venue_count) over (partition by cluster_categories.category)
        / sum(cluster_categories.venue_count) over () as city_share
    from cluster_categories
    inner join members on cluster_categories.cluster_id = members.cluster_id
),

ranked as (
    select
        *,
        cluster_share / city_share as lift,
        row_number() over (
            partition by cluster_id
            order by is_widespread desc, cluster_share / city_share desc, venue_count desc, category asc
        ) as distinctiveness_rank
    from shares
),

distinctive as (
    select
        cluster_id,
        list(category order by distinctiveness_rank) as distinctive_categories,
        list(round(lift, 2) order by distinctiveness_rank) as distinctive_lifts,
        array_to_string(
            list(category order by distinctiveness_rank) filter (where distinctiveness_rank <= 3), ' · '
        ) as label
    from ranked
    where distinctiveness_rank <= 5
    group by cluster_id
),

venue_totals as (
    select
        cluster_id,
        sum(venue_count) as venue_count
    from cluster_categories
    group by cluster_id
)

select
    members.cluster_id,
    members.postal_code_count,
    venue_totals.venue_count,
    members.postal_codes,
    distinctive.distinctive_categories,
    distinctive.distinctive_lifts,
    distinctive.label,
    'Cluster ' || members.cluster_id || ': ' || distinctive.label as display_label
from members
inner join distinctive on members.cluster_id = distinctive.cluster_id
inner join venue_totals on members.cluster_id = venue_totals.cluster_id
order by members.cluster_id
