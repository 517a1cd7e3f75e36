-- The 10 most common categories of each area of every set: ranks 1..10 by venue count, ties
-- broken by category name; an area with 3 categories gets 3 rows, never a zero count.
select
    area_set,
    area_id,
    row_number() over (
        partition by area_set, area_id order by venue_count desc, category asc
    ) as category_rank,
    category,
    venue_count
from {{ ref('area_category_counts') }}
qualify category_rank <= 10
order by area_set, area_id, category_rank
