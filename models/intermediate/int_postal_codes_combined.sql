-- One row per assigned postal code: its rows combined, names de-duplicated in page order.
with

assigned_rows as (
    select * from {{ ref('int_postal_code_rows_cleaned') }}
    where is_assigned
),

names as (
    select * from {{ ref('int_neighbourhoods_split') }}
),

postal_codes as (
    select
        postal_code,
        arg_min(borough, page_row_number) as borough,
        count(distinct borough) as borough_count,
        count(*) as page_row_count
    from assigned_rows
    group by postal_code
),

first_mentions as (
    select
        postal_code,
        neighbourhood,
        name_number
    from names
    where not is_enclave_note
    qualify row_number() over (partition by postal_code, neighbourhood order by name_number) = 1
),

neighbourhood_lists as (
    select
        postal_code,
        list(neighbourhood order by name_number) as neighbourhoods
    from first_mentions
    group by postal_code
),

enclave_notes as (
    select
        postal_code,
        string_agg(regexp_extract(neighbourhood, '(?i)enclave of\s+(.*)', 1), ', ' order by name_number)
            as enclave_of
    from names
    where is_enclave_note
    group by postal_code
)

select
    postal_codes.postal_code,
    postal_codes.borough,
    coalesce(neighbourhood_lists.neighbourhoods, [postal_codes.borough]) as neighbourhoods,
    enclave_notes.enclave_of,
    postal_codes.borough_count,
    postal_codes.page_row_count
from postal_codes
left join neighbourhood_lists on postal_codes.postal_code = neighbourhood_lists.postal_code
left join enclave_notes on postal_codes.postal_code = enclave_notes.postal_code
