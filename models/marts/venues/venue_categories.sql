select
    category,
    {{ category_column_name('category') }} as column_name,
    count(*) as venue_count,
    count(distinct area_set || chr(31) || area_id) as area_count,
    count(distinct category_as_found) as spelling_count,
    mode(category_group order by category_group) as category_group,
    count(*) filter (where category_group = '(unmapped)') as unmapped_venue_count
from {{ ref('area_venues') }}
group by category
order by column_name
