-- A venue listed twice for one area (a repeated page) counts once, at its first position; the
-- repeats are found by grouping the keys alone (an aggregate DuckDB can spill to disk). Categories
-- and groups are joined from the small distinct list of category references.
with

unioned as (
    select * from {{ ref('int_venues_unioned') }}
),

categories as (
    select * from {{ ref('int_categories_grouped') }}
),

repeats as (
    select
        area_set,
        area_id,
        venue_id,
        min(response_position) as first_position
    from unioned
    group by area_set, area_id, venue_id
    having count(*) > 1
)

select
    unioned.area_set,
    unioned.area_id,
    unioned.venue_id,
    unioned.venue_name as name,
    categories.category,
    unioned.category_name as category_as_found,
    categories.category_group,
    categories.mapped_by as group_mapped_by,
    unioned.latitude,
    unioned.longitude,
    unioned.distance_m,
    unioned.response_position,
    unioned.provider,
    unioned.assigned_by
from unioned
inner join categories
    on
        unioned.category_name = categories.category_name
        and unioned.category_id is not distinct from categories.category_id
        and unioned.tag_key is not distinct from categories.tag_key
        and unioned.tag_value is not distinct from categories.tag_value
left join repeats
    on
        unioned.area_set = repeats.area_set
        and unioned.area_id = repeats.area_id
        and unioned.venue_id = repeats.venue_id
where repeats.first_position is null or unioned.response_position = repeats.first_position
order by unioned.area_set, unioned.area_id, unioned.response_position
