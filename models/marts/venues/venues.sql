-- The postal set's view of area_venues: one row per postal code and venue, as the seed notebook
-- has it (the venues within the radius of the area's centre, or as the provider answered).
{{ config(materialized='view') }}
select
    area_id as postal_code,
    venue_id,
    name,
    category,
    category_as_found,
    latitude,
    longitude,
    distance_m,
    response_position,
    provider,
    assigned_by
from {{ ref('area_venues') }}
where area_set in (select centres.area_set from {{ ref('postal_code_centres') }} as centres)
