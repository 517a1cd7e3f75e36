with

members as (
    select
        area_set,
        cluster_id,
        count(*) as area_count,
        list(area_id order by area_id) as area_ids,
        avg(assignment_confidence) as mean_assignment_confidence
    from {{ ref('area_clusters') }}
    where cluster_id is not null
    group by area_set, cluster_id
),

categories as (
    select * from {{ ref('cluster_categories') }}
),

width as (
    select length(max(cluster_id)::varchar)::integer as digits from members
),

named as (
    select
        cluster_id,
        sum(venue_count)::bigint as venue_count,
        list(feature order by label_rank) filter (where label_rank <= 3) as label_features,
        list_slice(
            list(feature order by lift desc, venue_count desc, feature asc) filter (
                where venue_count >= 5 and lift > 1
            ),
            1,
            5
        ) as distinctive_features,
        list_slice(
            list(round(lift, 2) order by lift desc, venue_count desc, feature asc) filter (
                where venue_count >= 5 and lift > 1
            ),
            1,
            5
        ) as distinctive_lifts
    from categories
    group by cluster_id
)

select
    members.area_set,
    members.cluster_id,
    members.area_count,
    named.venue_count,
    members.area_ids,
    members.mean_assignment_confidence,
    coalesce(named.distinctive_features, []) as distinctive_features,
    coalesce(named.distinctive_lifts, []) as distinctive_lifts,
    coalesce(array_to_string(named.label_features, ' · '), 'Typical mix') as label,
    'Cluster ' || lpad(members.cluster_id::varchar, (select width.digits from width), '0') || ': '
    || coalesce(array_to_string(named.label_features, ' · '), 'Typical mix')
    || ' (' || members.area_count || case when members.area_count = 1 then ' area)' else ' areas)' end as display_label
from members
left join named on members.cluster_id = named.cluster_id
order by members.cluster_id
