-- One row per assigned postal code with its centre. A code without coordinates stays, with null
-- coordinates, and fails the tests on postal_code_centres (and the reconciliation test).
with

combined as (
    select * from {{ ref('int_postal_codes_combined') }}
),

reconciled as (
    select * from {{ ref('int_postal_codes_reconciled') }}
    where is_on_page
),

page as (
    select
        any_value(area_set) as area_set,
        any_value(page_source) as page_source
    from {{ ref('stg_wikipedia__postal_code_rows') }}
)

select
    page.area_set,
    combined.postal_code,
    combined.borough,
    combined.neighbourhoods,
    array_to_string(combined.neighbourhoods, ', ') as neighbourhood,
    reconciled.latitude,
    reconciled.longitude,
    combined.enclave_of,
    page.page_source
from combined
cross join page
left join reconciled on combined.postal_code = reconciled.postal_code
