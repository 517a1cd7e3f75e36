-- One centre per postal code. A file that lists a code more than once (GeoNames may) gets the
-- mean of its rows; the row count is kept.
select
    postal_code,
    avg(latitude) as latitude,
    avg(longitude) as longitude,
    count(*) as file_row_count,
    count(*) filter (where latitude is null or longitude is null) as unreadable_row_count
from {{ ref('stg_centroids__coordinates') }}
group by postal_code
