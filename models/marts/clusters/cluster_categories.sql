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
        feature_counts.feature,
        sum(feature_counts.venue_count)::bigint as venue_count,
        count(*) as area_count
    from {{ ref('area_feature_counts') }} as feature_counts
    inner join clusters
        on
            feature_counts.area_set = clusters.area_set
            and feature_counts.area_id = clusters.area_id
    group by clusters.area_set, clusters.cluster_id, feature_counts.feature
),

shares as (
    select
        counts.*,
        cluster_sizes.cluster_area_count,
        counts.venue_count / sum(counts.venue_count) over (partition by counts.cluster_id) as cluster_share,
        sum(counts.venue_count) over (partition by counts.feature)
        / sum(counts.venue_count) over () as overall_share
    from counts
    inner join cluster_sizes on counts.cluster_id = cluster_sizes.cluster_id
),

judged as (
    select
        *,
        cluster_share / overall_share as lift,
        cluster_share / overall_share >= {{ var('label_min_lift') }} as is_over_represented,
        cluster_share / overall_share >= {{ var('label_min_lift') }}
        and venue_count >= {{ var('label_min_venues') }}
        and feature <> '(unmapped)' as may_name
    from shares
)

select
    area_set,
    cluster_id,
    feature,
    venue_count,
    area_count,
    cluster_area_count,
    cluster_share,
    overall_share,
    lift,
    may_name,
    is_over_represented,
    row_number() over (partition by cluster_id order by venue_count desc, feature asc) as commonness_rank,
    case
        when may_name
            then row_number() over (
                    partition by cluster_id, may_name order by lift desc, venue_count desc, feature asc
                )
    end as label_rank
from judged
order by cluster_id, commonness_rank
