-- One row per cluster: its size and members, the five most distinctive categories with their lift
-- (from cluster_categories), and a short label built from the top three.
with

members as (
    select
        cluster_id,
        count(*) as postal_code_count,
        list(postal_code order by postal_code) as postal_codes
    from {{ ref('postal_code_clusters') }}
    where cluster_id is not null
    group by cluster_id
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
    members.cluster_id,
    members.postal_code_count,
    distinctive.venue_count,
    members.postal_codes,
    distinctive.distinctive_categories,
    distinctive.distinctive_lifts,
    distinctive.label,
    'Cluster ' || members.cluster_id || ': ' || distinctive.label as display_label
from members
inner join distinctive on members.cluster_id = distinctive.cluster_id
order by members.cluster_id
