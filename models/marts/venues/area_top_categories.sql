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
