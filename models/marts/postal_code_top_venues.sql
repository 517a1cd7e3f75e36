-- The 10 most common categories of each area: ranks 1..10 by venue count, ties broken by
-- category name; an area with 3 categories gets 3 rows, never a zero count.
select
    postal_code,
    row_number() over (partition by postal_code order by venue_count desc, category asc) as venue_rank,
    category,
    venue_count
from {{ ref('postal_code_category_counts') }}
qualify venue_rank <= 10
order by postal_code, venue_rank
