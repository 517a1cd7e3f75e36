-- The page's assigned postal codes against the coordinates file's, so that neither side can lose
-- areas in silence (a page cut short, a page of another letter, a coordinates file of another
-- city). The coordinates file is read for the letters the page covers (a national file such as
-- GeoNames lists every letter), and for codes shaped like the page's (var postal_code_pattern).
-- A code on one side only fails the test on this model, which names it.
with

assigned as (
    select postal_code from {{ ref('int_postal_codes_combined') }}
),

page_letters as (
    select distinct left(postal_code, 1) as letter
    from {{ ref('stg_wikipedia__postal_code_rows') }}
),

coordinates as (
    select * from {{ ref('int_coordinates_aggregated') }}
    where
        regexp_full_match(postal_code, '{{ var("postal_code_pattern") }}')
        and left(postal_code, 1) in (select page_letters.letter from page_letters)
)

select
    coalesce(assigned.postal_code, coordinates.postal_code) as postal_code,
    assigned.postal_code is not null as is_on_page,
    coordinates.postal_code is not null as is_in_coordinates,
    coordinates.latitude,
    coordinates.longitude,
    case
        when assigned.postal_code is null then 'in the coordinates file, not assigned on the page'
        when coordinates.postal_code is null then 'assigned on the page, not in the coordinates file'
    end as mismatch
from assigned
full outer join coordinates on assigned.postal_code = coordinates.postal_code
