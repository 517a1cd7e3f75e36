{{ config(severity='warn') }}
-- Pairs of polygon areas of one set that share places (each such place counts in both areas).
select
    area_set,
    area_id,
    other_area_id,
    shared_venue_count
from {{ ref('int_areas_overlapped') }}
