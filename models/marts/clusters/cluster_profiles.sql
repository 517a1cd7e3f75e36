-- One row per cluster of the chosen area set: its size and members, the five most distinctive
-- categories with their lift (from cluster_categories), and a short label built from the top three.
with

members as (
    select
        area_set,
        cluster_id,
        count(*) as area_count,
        list(area_id order by area_id) as area_ids
    from {{ ref('area_clusters') }}
    where cluster_id is not null
    group by area_set, cluster_id
),

categories as (
    select * from {{ ref('cluster_categories') }}
),

distinctive as (
    select
        cluster_id,
        sum(venue_count)::bigint as venue_count,
        list(category order by distinctiveness_rank) filter (where distinctiveness_rank <= 5)
            as distinctive_categories,
        list(round(lift, 2) order by distinctiveness_rank) filter (where distinctiveness_rank <= 5)
            as distinctive_lifts,
        array_to_string(
            list(category order by distinctiveness_rank) filter (where distinctiveness_rank <= 3), ' · '
        ) as label
    from categories
    group by cluster_id
)

select
    members.area_set,
    members.cluster_id,
    members.area_count,
    distinctive.venue_count,
    members.area_ids,
    distinctive.distinctive_categories,
    distinctive.distinctive_lifts,
    distinctive.label,
    'Cluster ' || members.cluster_id || ': ' || distinctive.label as display_label
from members
inner join distinctive on members.cluster_id = distinctive.cluster_id
order by members.cluster_id
