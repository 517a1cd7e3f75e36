-- One row per area and venue, for every area set, from the provider chosen for the set, with how
-- the venue was assigned to the area (as_fetched, within_radius, inside_polygon). A venue listed
-- twice for one area (a repeated page) counts once, at its first position; the repeats are found by
-- grouping the keys alone (an aggregate DuckDB can spill to disk). Categories spelt differently by
-- case, accents, punctuation or spacing are one category (int_categories_unified); the spelling as
-- found is kept. Each venue's category rolls up to a group through the taxonomies
-- (int_category_groups).
with

unioned as (
    select * from {{ ref('int_venues_unioned') }}
),

categories as (
    select * from {{ ref('int_categories_unified') }}
),

groups as (
    select * from {{ ref('int_category_groups') }}
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
    groups.category_group,
    groups.mapped_by as group_mapped_by,
    unioned.latitude,
    unioned.longitude,
    unioned.distance_m,
    unioned.response_position,
    unioned.provider,
    unioned.assigned_by
from unioned
inner join categories on unioned.category_name = categories.category_as_found
inner join groups
    on
        unioned.category_name = groups.category_name
        and unioned.category_id is not distinct from groups.category_id
        and unioned.tag_key is not distinct from groups.tag_key
        and unioned.tag_value is not distinct from groups.tag_value
left join repeats
    on
        unioned.area_set = repeats.area_set
        and unioned.area_id = repeats.area_id
        and unioned.venue_id = repeats.venue_id
where repeats.first_position is null or unioned.response_position = repeats.first_position
order by unioned.area_set, unioned.area_id, unioned.response_position
