-- The postal set's view of area_category_counts: one row per postal code and category it has.
{{ config(materialized='view') }}
select
    area_id as postal_code,
    category,
    column_name,
    venue_count,
    frequency
from {{ ref('area_category_counts') }}
where area_set in (select centres.area_set from {{ ref('postal_code_centres') }} as centres)
