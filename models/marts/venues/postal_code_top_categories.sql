-- The postal set's view of area_top_categories: each postal code's 10 most common categories.
{{ config(materialized='view') }}
select
    area_id as postal_code,
    category_rank,
    category,
    venue_count
from {{ ref('area_top_categories') }}
where area_set in (select centres.area_set from {{ ref('postal_code_centres') }} as centres)
