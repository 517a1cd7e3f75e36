-- One row per area and category it has: how many venues, and their share of the area's venues
-- (the seed notebook's one-hot mean). Only categories an area has: never a zero count.
with

venues as (
    select * from {{ ref('venues') }}
),

categories as (
    select * from {{ ref('venue_categories') }}
),

counts as (
    select
        postal_code,
        category,
        count(*) as venue_count
    from venues
    group by postal_code, category
)

select
    counts.postal_code,
    counts.category,
    categories.column_name,
    counts.venue_count,
    counts.venue_count / sum(counts.venue_count) over (partition by counts.postal_code) as frequency
from counts
inner join categories on counts.category = categories.category
order by counts.postal_code, counts.category
