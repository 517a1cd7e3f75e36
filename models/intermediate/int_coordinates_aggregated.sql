-- One centre per postal code of the latest coordinates file.
--   * Rows listing the same code more than once are averaged; how far apart they lie is kept
--     (spread_m): rows further apart than var max_centroid_spread_m (1 km) contradict each other
--     and fail the build, naming the code.
--   * A file of full postal codes (GeoNames' CA_full: M5A 1A1, M5A 1A2 ...) also gives each
--     forward sortation area the mean of its full codes' centres, unless the file lists the FSA
--     itself.
with

coordinates as (
    select * from {{ ref('stg_centroids__coordinates') }}
),

pairs as (
    -- Every pair of readable rows of one code (codes repeat rarely, so this stays small).
    select
        one_row.postal_code,
        max({{ haversine_m('one_row.latitude', 'one_row.longitude', 'other_row.latitude', 'other_row.longitude') }})
            as spread_m
    from coordinates as one_row
    inner join coordinates as other_row
        on
            one_row.postal_code = other_row.postal_code
            and one_row.file_row_number < other_row.file_row_number
    group by one_row.postal_code
),

as_listed as (
    select
        coordinates.postal_code,
        avg(coordinates.latitude) as latitude,
        avg(coordinates.longitude) as longitude,
        count(*) as file_row_count,
        count(*) filter (
            where coordinates.latitude is null or coordinates.longitude is null
        ) as unreadable_row_count,
        round(coalesce(any_value(pairs.spread_m), 0), 1) as spread_m,
        regexp_full_match(coordinates.postal_code, '[A-Z][0-9][A-Z] [0-9][A-Z][0-9]') as is_full_postal_code
    from coordinates
    left join pairs on coordinates.postal_code = pairs.postal_code
    group by coordinates.postal_code
),

from_full_codes as (
    select
        left(postal_code, 3) as postal_code,
        avg(latitude) as latitude,
        avg(longitude) as longitude,
        sum(file_row_count) as file_row_count,
        sum(unreadable_row_count) as unreadable_row_count,
        count(*) as full_postal_code_count
    from as_listed
    where is_full_postal_code
    group by left(postal_code, 3)
)

select
    postal_code,
    latitude,
    longitude,
    file_row_count::bigint as file_row_count,
    unreadable_row_count::bigint as unreadable_row_count,
    spread_m,
    0::bigint as full_postal_code_count,
    'as listed' as centre_from
from as_listed
union all
select
    from_full_codes.postal_code,
    from_full_codes.latitude,
    from_full_codes.longitude,
    from_full_codes.file_row_count::bigint,
    from_full_codes.unreadable_row_count::bigint,
    0 as spread_m,
    from_full_codes.full_postal_code_count::bigint,
    'mean of its full postal codes' as centre_from
from from_full_codes
where from_full_codes.postal_code not in (select listed.postal_code from as_listed as listed)
