with

counts as (
    select
        area_set,
        area_id,
        category,
        count(*) as venue_count
    from {{ ref('area_venues') }}
    group by area_set, area_id, category
),

categories as (
    select * from {{ ref('venue_categories') }}
)

select
    counts.area_set,
    counts.area_id,
    counts.category,
    categories.column_name,
    counts.venue_count,
    counts.venue_count / sum(counts.venue_count) over (partition by counts.area_set, counts.area_id) as frequency
from counts
inner join categories on counts.category = categories.category
order by counts.area_set, counts.area_id, counts.category
