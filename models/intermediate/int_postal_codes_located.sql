-- A table: the completeness and centroid tests read it, and the areas and postal_codes.
{{ config(materialized='table') }}
with

coordinates as (
    select * from {{ ref('stg_centroids__coordinates') }}
),

-- The greatest distance between two rows of one code (codes repeat rarely, so this stays small).
spreads as (
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
        round(coalesce(any_value(spreads.spread_m), 0), 1) as spread_m
    from coordinates
    left join spreads on coordinates.postal_code = spreads.postal_code
    group by coordinates.postal_code
),

-- A file of full postal codes (GeoNames' CA_full: M5A 1A1 ...) gives each forward sortation area
-- the mean of its full codes' centres, unless the file lists the FSA itself.
centres as (
    select
        postal_code,
        latitude,
        longitude,
        file_row_count,
        unreadable_row_count,
        spread_m,
        postal_code as spread_code,
        0 as full_postal_code_count,
        'as listed' as centre_from
    from as_listed
    union all
    select
        left(postal_code, 3) as postal_code,
        avg(latitude) as latitude,
        avg(longitude) as longitude,
        sum(file_row_count) as file_row_count,
        sum(unreadable_row_count) as unreadable_row_count,
        max(spread_m) as spread_m,
        arg_max(postal_code, spread_m) as spread_code,
        count(*) as full_postal_code_count,
        'mean of its full postal codes' as centre_from
    from as_listed
    where
        regexp_full_match(postal_code, '[A-Z][0-9][A-Z] [0-9][A-Z][0-9]')
        and left(postal_code, 3) not in (select listed.postal_code from as_listed as listed)
    group by left(postal_code, 3)
),

page as (
    select
        any_value(area_set) as area_set,
        any_value(page_source) as page_source,
        list(distinct left(postal_code, 1)) as letters
    from {{ ref('stg_wikipedia__postal_code_rows') }}
),

-- The coordinates are read for the letters the page covers (a national file lists every letter)
-- and for codes shaped like the page's.
page_centres as (
    select centres.*
    from centres
    cross join page
    where
        regexp_full_match(centres.postal_code, '{{ var("postal_code_pattern") }}')
        and list_contains(page.letters, left(centres.postal_code, 1))
),

combined as (
    select * from {{ ref('int_postal_codes_combined') }}
)

select
    coalesce(combined.postal_code, page_centres.postal_code) as postal_code,
    combined.postal_code is not null as is_on_page,
    page_centres.postal_code is not null as is_in_coordinates,
    case
        when combined.postal_code is null then 'in the coordinates file, not assigned on the page'
        when page_centres.postal_code is null then 'assigned on the page, not in the coordinates file'
    end as mismatch,
    page.area_set,
    combined.borough,
    combined.neighbourhoods,
    array_to_string(combined.neighbourhoods, ', ') as neighbourhood,
    page_centres.latitude,
    page_centres.longitude,
    combined.enclave_of,
    coalesce(page_centres.file_row_count, 0)::bigint as file_row_count,
    coalesce(page_centres.unreadable_row_count, 0)::bigint as unreadable_row_count,
    coalesce(page_centres.spread_m, 0) as spread_m,
    page_centres.spread_code,
    coalesce(page_centres.full_postal_code_count, 0)::bigint as full_postal_code_count,
    page_centres.centre_from,
    page.page_source
from combined
full outer join page_centres on combined.postal_code = page_centres.postal_code
cross join page
