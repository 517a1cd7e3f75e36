-- One row per category name as the chosen provider spells it, with the category it belongs to.
-- Names that differ only by case, accents, punctuation or spacing ("COFFEE SHOP", "Coffee Shop",
-- "coffee-shop") are one category, named by the spelling its venues use most (ties: the first
-- spelling in code-point order).
with

spellings as (
    select
        category_name as category_as_found,
        count(*) as venue_count
    from {{ ref('int_venues_unioned') }}
    group by category_name
),

keyed as (
    select
        *,
        {{ category_key('category_as_found') }} as category_key
    from spellings
)

select
    category_as_found,
    category_key,
    venue_count::bigint as venue_count,
    first(category_as_found order by venue_count desc, category_as_found asc) over (
        partition by category_key
    ) as category
from keyed
