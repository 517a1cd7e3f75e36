-- Postal-code areas per borough, largest first.
select
    borough,
    count(*) as postal_code_count,
    list(postal_code order by postal_code) as postal_codes
from {{ ref('postal_codes') }}
group by borough
order by postal_code_count desc, borough asc
