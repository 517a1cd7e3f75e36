-- The features of the chosen set (categories, or the groups they roll up to): what the clustering
-- compares areas on, with their venues and how many areas have them.
select
    feature,
    any_value(column_name) as column_name,
    sum(venue_count)::bigint as venue_count,
    count(*) as area_count
from {{ ref('area_feature_counts') }}
group by feature
order by column_name
