-- One row per area and venue, from the chosen provider, in response order. A venue listed twice
-- for one area (a repeated page) counts once, at its first position. The repeats are found by
-- grouping the keys alone (an aggregate DuckDB can spill to disk), not by a window over every row.
-- Categories spelt differently by case, accents, punctuation or spacing are one category
-- (int_categories_unified); the spelling as found is kept.
with

unioned as (
    select * from {{ ref('int_venues_unioned') }}
),

categories as (
    select * from {{ ref('int_categories_unified') }}
),

repeats as (
    select
        postal_code,
        venue_id,
        min(response_position) as first_position
    from unioned
    group by postal_code, venue_id
    having count(*) > 1
)

select
    unioned.postal_code,
    unioned.venue_id,
    unioned.venue_name as name,
    categories.category,
    unioned.category_name as category_as_found,
    unioned.latitude,
    unioned.longitude,
    unioned.distance_m,
    unioned.response_position,
    unioned.provider
from unioned
inner join categories on unioned.category_name = categories.category_as_found
left join repeats
    on
        unioned.postal_code = repeats.postal_code
        and unioned.venue_id = repeats.venue_id
where repeats.first_position is null or unioned.response_position = repeats.first_position
order by unioned.postal_code, unioned.response_position
