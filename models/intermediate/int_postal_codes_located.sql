-- One row per assigned postal code with its centre. A code without coordinates stays, with null
-- coordinates, and fails the tests on postal_code_centres (and the reconciliation test).
with

combined as (
    select * from {{ ref('int_postal_codes_combined') }}
),

reconciled as (
    select * from {{ ref('int_postal_codes_reconciled') }}
    where is_on_page
)

select
    combined.postal_code,
    combined.borough,
    combined.neighbourhoods,
    array_to_string(combined.neighbourhoods, ', ') as neighbourhood,
    reconciled.latitude,
    reconciled.longitude,
    combined.enclave_of
from combined
left join reconciled on combined.postal_code = reconciled.postal_code
