with

settings as (
    select * from {{ ref('cluster_settings') }}
),

venues as (
    select
        area_venues.area_set,
        area_venues.area_id,
        case when settings.feature_level = 'group' then area_venues.category_group else area_venues.category end
            as feature
    from {{ ref('area_venues') }} as area_venues
    inner join settings on area_venues.area_set = settings.area_set
),

counts as (
    select
        area_set,
        area_id,
        feature,
        count(*) as venue_count
    from venues
    group by area_set, area_id, feature
)

select
    counts.area_set,
    counts.area_id,
    counts.feature,
    {{ category_column_name('counts.feature') }} as column_name,
    counts.venue_count,
    counts.venue_count / sum(counts.venue_count) over (partition by counts.area_set, counts.area_id) as frequency
from counts
order by counts.area_id, counts.feature
