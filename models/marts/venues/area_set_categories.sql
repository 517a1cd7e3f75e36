-- The categories of the chosen area set (var area_set, default the postal set): the columns of
-- area_category_frequencies, the features the clustering reads.
with

chosen as (
    select area_set from {{ ref('int_area_set_chosen') }}
)

select
    counts.category,
    counts.column_name,
    sum(counts.venue_count)::bigint as venue_count,
    count(*) as area_count
from {{ ref('area_category_counts') }} as counts
where counts.area_set in (select chosen.area_set from chosen)
group by counts.category, counts.column_name
order by counts.column_name
