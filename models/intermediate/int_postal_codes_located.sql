-- One row per assigned postal code with its centre. A left join: a code without coordinates
-- stays, with null coordinates, and fails the tests on the postal_codes mart.
with

combined as (
    select * from {{ ref('int_postal_codes_combined') }}
),

coordinates as (
    select * from {{ ref('int_coordinates_aggregated') }}
)

select
    combined.postal_code,
    combined.borough,
    combined.neighbourhoods,
    array_to_string(combined.neighbourhoods, ', ') as neighbourhood,
    coordinates.latitude,
    coordinates.longitude,
    combined.enclave_of
from combined
left join coordinates on combined.postal_code = coordinates.postal_code
