-- One row per assigned postal code with its centre: the areas, before any venue. The live venue
-- fetch reads its list of areas from here (it cannot depend on the venues it is about to fetch).
select
    area_set,
    postal_code,
    borough,
    neighbourhoods,
    neighbourhood,
    latitude,
    longitude,
    enclave_of
from {{ ref('int_postal_codes_located') }}
order by postal_code
