-- The postal set's view of area_category_frequencies (the one-hot pivot), keyed by postal code.
-- It follows var area_set: when another set is chosen for the clusters, it is empty.
-- depends_on: {{ ref('area_set_categories') }}
{{ config(materialized='view', post_hook="{{ comment_category_columns(ref('area_set_categories')) }}") }}
select
    area_id as postal_code,
    * exclude (area_set, area_id)  -- noqa: AM04
from {{ ref('area_category_frequencies') }}
where area_set in (select centres.area_set from {{ ref('postal_code_centres') }} as centres)
