with

clustered as (
    select
        clusters.area_set,
        clusters.area_id,
        clusters.cluster_id,
        clusters.assignment_confidence,
        clusters.is_at_venue_limit,
        areas.venues_per_km2
    from {{ ref('area_clusters') }} as clusters
    inner join {{ ref('areas') }} as areas
        on clusters.area_set = areas.area_set and clusters.area_id = areas.area_id
    where clusters.cluster_id is not null
),

members as (
    select
        area_set,
        cluster_id,
        count(*) as area_count,
        list(area_id order by area_id) as area_ids,
        avg(assignment_confidence) as mean_assignment_confidence,
        median(venues_per_km2) as median_venues_per_km2,
        count(*) filter (where is_at_venue_limit) as at_venue_limit_count
    from clustered
    group by area_set, cluster_id
),

-- Where the segment's median area falls among the set's clustered areas: the share of them
-- less dense than it.
placed as (
    select
        members.*,
        (
            select
                count(*) filter (where clustered.venues_per_km2 < members.median_venues_per_km2)
                / count(clustered.venues_per_km2)
            from clustered
        ) as density_percentile
    from members
),

worded_density as (
    select
        *,
        case
            when density_percentile < 1 / 3 then 'sparse'
            when density_percentile < 2 / 3 then 'mid'
            when density_percentile is not null then 'dense'
        end as density
    from placed
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
        list(round(lift, 2) order by label_rank) filter (where label_rank <= 3) as label_lifts,
        list(venue_count order by label_rank) filter (where label_rank <= 3) as label_venue_counts,
        any_value(feature) filter (where label_rank = 4) as next_feature,
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
),

worded as (
    select
        worded_density.*,
        named.venue_count,
        named.label_features,
        named.label_lifts,
        named.label_venue_counts,
        named.next_feature,
        named.distinctive_features,
        named.distinctive_lifts,
        concat_ws(
            ' — ', worded_density.density, coalesce(array_to_string(named.label_features, ', '), 'mixed')
        ) as first_label
    from worded_density
    left join named on worded_density.cluster_id = named.cluster_id
),

-- No two segments of a set share a label: a repeated one takes its next feature, and one still
-- repeated its number.
widened as (
    select
        *,
        case
            when count(*) over (partition by first_label) > 1 and next_feature is not null
                then first_label || ', ' || next_feature
            else first_label
        end as second_label
    from worded
),

labelled as (
    select
        *,
        case
            when count(*) over (partition by second_label) > 1 then second_label || ' (segment ' || cluster_id || ')'
            else second_label
        end as label
    from widened
)

select
    area_set,
    cluster_id,
    area_count,
    venue_count,
    area_ids,
    mean_assignment_confidence,
    median_venues_per_km2,
    density_percentile,
    density,
    at_venue_limit_count,
    coalesce(label_features, []) as label_features,
    coalesce(label_lifts, []) as label_lifts,
    coalesce(label_venue_counts, []) as label_venue_counts,
    coalesce(distinctive_features, []) as distinctive_features,
    coalesce(distinctive_lifts, []) as distinctive_lifts,
    label,
    'Cluster ' || lpad(cluster_id::varchar, (select width.digits from width), '0') || ': ' || label
    || ' (' || area_count || case when area_count = 1 then ' area)' else ' areas)' end as display_label
from labelled
order by cluster_id
